// Transfer an admission to a free bed of any ward (POST /api/admissions/{id}/transfer), optionally
// handing the patient over to another attending doctor.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { Field } from '../patients/fields'
import { boardChanged } from './invalidate'
import type { Admission, Ward } from './types'

export function TransferDialog({ admission, wards, onClose }: { admission: Admission; wards: Ward[]; onClose: () => void }) {
  const [wardID, setWardID] = useState('')
  const [bedID, setBedID] = useState('')
  const [doctor, setDoctor] = useState('')
  const [errors, setErrors] = useState<{ ward?: string; bed?: string }>({})
  const [error, setError] = useState('')
  const client = useQueryClient()
  const board = $api.useQuery('get', '/api/wards/{id}/beds', { params: { path: { id: wardID } } }, { enabled: wardID !== '' })
  const doctors = $api.useQuery('get', '/api/doctors')
  const transfer = $api.useMutation('post', '/api/admissions/{id}/transfer')
  const freeBeds = board.data?.beds.filter((b) => b.state === 'free') ?? []
  const who = admission.patient_name ?? 'the patient'
  const currentWard = wards.find((w) => w.id === admission.ward_id)?.name ?? ''

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const missing = { ...(!wardID && { ward: 'Choose the ward.' }), ...(wardID && !bedID && { bed: 'Choose a free bed.' }) }
    setErrors(missing)
    setError('')
    if (Object.keys(missing).length > 0) return
    transfer.mutate(
      { params: { path: { id: admission.id } }, body: { ward_id: wardID, bed_id: bedID, ...(doctor && { doctor_id: doctor }) } },
      {
        onSuccess: () => {
          boardChanged(client)
          onClose()
        },
        onError: (err) => setError(messageOf(err)),
      },
    )
  }

  return (
    <ModalDialog isOpen onClose={onClose} title={`Transfer ${who}`}>
      <p className="muted">
        Now in {currentWard ? `${currentWard}, ` : ''}bed {admission.bed_label}.
      </p>
      <form className="stack" onSubmit={submit} noValidate aria-label={`Transfer ${who}`}>
        <div className="beds-two">
          <Field label="To ward" error={errors.ward}>
            {(ids) => (
              <select
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid || undefined}
                value={wardID}
                onChange={(e) => {
                  setWardID(e.target.value)
                  setBedID('')
                }}
              >
                <option value="">Choose…</option>
                {wards.map((w) => (
                  <option key={w.id} value={w.id} disabled={w.free === 0}>
                    {w.name} ({w.free === 0 ? 'full' : `${w.free} free`})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="To bed" error={errors.bed || (board.error ? messageOf(board.error) : '')}>
            {(ids) => (
              <select
                id={ids.id}
                aria-describedby={ids.describedBy}
                aria-invalid={ids.invalid || undefined}
                value={bedID}
                onChange={(e) => setBedID(e.target.value)}
                disabled={!wardID}
              >
                <option value="">{!wardID ? 'Choose the ward first' : board.isPending ? 'Loading the beds…' : 'Choose…'}</option>
                {freeBeds.map((b) => (
                  <option key={b.id} value={b.id}>
                    Bed {b.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field label="Attending doctor" hint="Leave as it is to keep the same doctor.">
          {(ids) => (
            <select id={ids.id} aria-describedby={ids.describedBy} value={doctor} onChange={(e) => setDoctor(e.target.value)}>
              <option value="">The same doctor</option>
              {doctors.data?.items
                .filter((d) => d.id !== admission.doctor_id)
                .map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                    {d.specialty ? ` — ${d.specialty}` : ''}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <div className="row">
          <SubmitButton busy={transfer.isPending} busyText="Transferring…">
            Transfer
          </SubmitButton>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
        <ErrorText error={error} block />
      </form>
    </ModalDialog>
  )
}
