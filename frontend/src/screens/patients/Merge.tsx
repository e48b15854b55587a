// Merging an unidentified emergency record into the patient's real record: the records that may be the
// same person (GET /api/patients/{id}/duplicates), and for the one chosen a confirmation that says which
// record survives and what moves, then POST /api/patients/{id}/merge.
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDate } from '../../api/time'
import type { PatientSummary } from '../../api/types'
import { ErrorText, LoadError } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import type { Patient } from './demographics'

export function MergeUnidentified({ patient, onMerged }: { patient: Patient; onMerged: (into: PatientSummary) => void }) {
  const dupes = $api.useQuery('get', '/api/patients/{id}/duplicates', { params: { path: { id: patient.id } } })
  const [target, setTarget] = useState<PatientSummary | null>(null)
  const [error, setError] = useState('')
  const client = useQueryClient()
  const merge = $api.useMutation('post', '/api/patients/{id}/merge')

  const confirm = () => {
    if (!target) return
    setError('')
    merge.mutate(
      { params: { path: { id: patient.id } }, body: { into: target.id } },
      {
        onSuccess: () => {
          for (const p of ['/api/patient/{id}', '/api/patients', '/api/patients/{id}/duplicates'] as const) {
            void client.invalidateQueries({ queryKey: keyOf(p) })
          }
          setTarget(null)
          onMerged(target)
        },
        onError: (e) =>
          setError(
            e instanceof ApiError && e.code === 'break_glass_required'
              ? `You have no care relationship with ${target.name} (${target.mrn}). Open that record, break the glass with your reason, then merge again.`
              : messageOf(e),
          ),
      },
    )
  }

  const items = dupes.data?.items ?? []
  return (
    <section className="pts-merge" aria-labelledby="pts-merge-h">
      <h3 id="pts-merge-h">Unidentified emergency patient</h3>
      <p>Once you know who this is, merge this record into the patient’s real record.</p>
      <LoadError error={dupes.error ? messageOf(dupes.error) : ''} retry={() => void dupes.refetch()}>
        Could not look for the same person
      </LoadError>
      {dupes.isPending && <p className="muted">Looking for records of the same person…</p>}
      {dupes.data && items.length === 0 && (
        <p className="muted">No other record has the same name. Search the register above, open the real record and check its name.</p>
      )}
      {items.length > 0 && (
        <table className="table">
          <caption className="pts-caption">Records that may be the same person</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">MRN</th>
              <th scope="col">Born</th>
              <th scope="col">Phone</th>
              <th scope="col">
                <span className="rc-sr-only">Merge</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td className="rc-mono">{d.mrn ?? '—'}</td>
                <td>{d.date_of_birth ? formatDate(d.date_of_birth) : '—'}</td>
                <td>{d.phone ?? '—'}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => setTarget(d)}>
                    Merge into this record…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ModalDialog
        role="alertdialog"
        isOpen={target !== null}
        onClose={() => {
          setTarget(null)
          setError('')
        }}
        title={`Merge into ${target?.name ?? ''}?`}
      >
        {target && (
          <>
            <p>
              <strong>
                {target.name} ({target.mrn})
              </strong>{' '}
              is kept: it is the patient’s record from now on.
            </p>
            <p>
              It receives what this record holds: the medical history of{' '}
              <strong>
                {patient.name} ({patient.mrn})
              </strong>{' '}
              is added to its history, and the allergies and conditions of both are kept together.
            </p>
            <p>
              {patient.name} ({patient.mrn}) is then marked as merged and takes no more changes. This cannot be undone.
            </p>
            <div className="row">
              <button type="button" className="btn btn-danger" disabled={merge.isPending} onClick={confirm}>
                {merge.isPending ? 'Merging…' : `Merge into ${target.name}`}
              </button>
              <button type="button" className="btn" onClick={() => setTarget(null)}>
                Cancel
              </button>
            </div>
            <ErrorText error={error} block />
          </>
        )}
      </ModalDialog>
    </section>
  )
}
