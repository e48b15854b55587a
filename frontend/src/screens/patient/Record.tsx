// The portal's record section: the patient's allergies, conditions and medical history as the hospital
// keeps them, every earlier version of the history (who wrote it, when), and a form for what the
// patient reports themself. The server keeps the clinicians' text and puts the patient's below it,
// under "Reported by the patient:", so a patient never replaces what a clinician wrote.
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { components } from '../../api/schema'
import { ErrorText, SubmitButton } from '../../components/forms'
import { Pending } from './Pending'

type Revision = components['schemas']['HistoryRevision']

/** The heading the server puts above the patient's own part of the history. */
const reportedMark = '\n\nReported by the patient:\n'

/** The revisions shown (newest first); the rest are in "My data". */
const revisionsShown = 20

/** The clinicians' part of a history and the patient's own part below it. */
export function splitHistory(text: string, lastByPatient: boolean): { clinical: string; reported: string } {
  const at = text.indexOf(reportedMark)
  if (at >= 0) return { clinical: text.slice(0, at), reported: text.slice(at + reportedMark.length) }
  // A history only the patient wrote has no heading: all of it is theirs.
  return lastByPatient ? { clinical: '', reported: text } : { clinical: text, reported: '' }
}

const authorWords: Record<NonNullable<Revision['author_role']>, string> = {
  doctor: 'A doctor',
  staff: 'Hospital staff',
  patient: 'You',
  admin: 'The hospital',
}

export function Record({ patientID }: { patientID: string }) {
  const path = { id: patientID }
  const record = $api.useQuery('get', '/api/patient/{id}', { params: { path } })
  const history = $api.useQuery('get', '/api/patients/{id}/history', {
    params: { path, query: { page: 1, limit: revisionsShown } },
  })
  const revisions = history.data?.items ?? []
  const lastByPatient = revisions[0]?.author_role === 'patient'
  const parts = record.data ? splitHistory(record.data.medical_history, lastByPatient) : null

  return (
    <>
      <h1>My record</h1>
      {!record.data ? (
        <Pending read={record} what="your record" />
      ) : (
        <div className="pt-layout">
          <div className="pt-col">
            <section className="panel" aria-labelledby="pt-allergies-title">
              <h2 id="pt-allergies-title">Allergies and conditions</h2>
              <h3>Allergies</h3>
              <Words items={record.data.allergies} none="No allergies recorded." />
              <h3>Conditions</h3>
              <Words items={record.data.conditions} none="No conditions recorded." />
            </section>
            <section className="panel" aria-labelledby="pt-history-title">
              <h2 id="pt-history-title">Medical history</h2>
              {parts?.clinical ? (
                <p className="pt-pre" data-testid="clinical-history">
                  {parts.clinical}
                </p>
              ) : (
                <p className="muted">Your doctors have not written a history yet.</p>
              )}
              {parts?.reported && (
                <>
                  <h3>What you told us</h3>
                  <p className="pt-pre" data-testid="reported-history">
                    {parts.reported}
                  </p>
                </>
              )}
            </section>
          </div>
          <div className="pt-col">
            <ReportForm patientID={patientID} reported={history.data ? (parts?.reported ?? '') : null} />
            <section className="panel" aria-labelledby="pt-versions-title">
              <h2 id="pt-versions-title">Earlier versions</h2>
              {!history.data ? (
                <Pending read={history} what="the earlier versions" />
              ) : revisions.length === 0 ? (
                <p className="muted">Nothing has been written yet.</p>
              ) : (
                <ul className="pt-plain pt-versions">
                  {revisions.map((r) => (
                    <li key={r.rev}>
                      <details>
                        <summary>
                          {formatDateTime(r.at, 'auto')} · {r.author_role ? authorWords[r.author_role] : 'The hospital'}
                        </summary>
                        <p className="pt-pre">{r.medical_history || '(empty)'}</p>
                      </details>
                    </li>
                  ))}
                </ul>
              )}
              {history.data && history.data.total > revisions.length && (
                <p className="muted pt-small">
                  The {revisionsShown} newest of {history.data.total} are shown; download your data for all of them.
                </p>
              )}
            </section>
          </div>
        </div>
      )}
    </>
  )
}

function Words({ items, none }: { items?: string[]; none: string }) {
  if (!items?.length) return <p className="muted">{none}</p>
  return (
    <ul className="pt-words">
      {items.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  )
}

/** The patient's own part of the history; null until it is known what they wrote before. */
function ReportForm({ patientID, reported }: { patientID: string; reported: string | null }) {
  const client = useQueryClient()
  const save = $api.useMutation('put', '/api/patient/{id}')
  const [text, setText] = useState('')
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (reported !== null) setText(reported)
  }, [reported])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved(false)
    save.mutate(
      { params: { path: { id: patientID } }, body: { medical_history: text } },
      {
        onSuccess: () => {
          setSaved(true)
          void client.invalidateQueries({ queryKey: keyOf('/api/patient/{id}') })
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/history') })
        },
      },
    )
  }

  return (
    <section className="panel" aria-labelledby="pt-report-title">
      <h2 id="pt-report-title">Tell us about your health</h2>
      <p className="muted pt-small">
        What you write here is added below your doctors’ history, marked as reported by you. It replaces what
        you told us before; your doctors’ text is never changed.
      </p>
      {reported === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <form className="stack" onSubmit={submit}>
          <label>
            In your own words (illnesses, operations, medicines you take)
            <textarea
              rows={6}
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={save.error ? true : undefined}
              aria-describedby={save.error ? 'pt-report-error' : undefined}
            />
          </label>
          <div className="row">
            <SubmitButton busy={save.isPending} busyText="Saving…">
              Save
            </SubmitButton>
            {saved && (
              <span className="ok-text" role="status">
                Saved to your record.
              </span>
            )}
            <span id="pt-report-error">
              <ErrorText error={save.error ? messageOf(save.error) : ''} />
            </span>
          </div>
        </form>
      )}
    </section>
  )
}
