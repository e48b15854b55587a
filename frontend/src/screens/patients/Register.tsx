// "Register a patient": demographics for a patient without an account (POST /api/patients, with an
// Idempotency-Key so a retried submission registers once). While the name is typed the register is
// searched for it; likely duplicates are listed ("Is this one of these?"), those with the same date of
// birth or phone first, to open instead of registering the same person twice.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { useIdempotencyKey } from '../../api/idempotency'
import { $api, keyOf } from '../../api/query'
import { formatDate } from '../../api/time'
import type { PatientSummary } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import {
  DemographicFields,
  demographicWords,
  emptyDemographics,
  fieldOf,
  registerBody,
  type Demographics,
  type Patient,
} from './demographics'
import { problemOf, useSettled } from './fields'

/** How long the name must rest before the register is searched for it. */
const typingMs = 300

const digits = (s: string) => s.replace(/\D/g, '')

/** Why a listed record may be this person: the same date of birth, the same phone. */
function sameAs(p: PatientSummary, d: Demographics): string[] {
  const why: string[] = []
  if (d.dob && p.date_of_birth === d.dob) why.push('same date of birth')
  if (digits(d.phone).length >= 3 && p.phone && digits(p.phone) === digits(d.phone)) why.push('same phone')
  return why
}

export function RegisterPatient({
  onOpen,
  onRegistered,
  onCancel,
}: {
  /** Opens an existing record instead. */
  onOpen: (p: PatientSummary) => void
  onRegistered: (p: Patient) => void
  onCancel: () => void
}) {
  const [form, setForm] = useState<Demographics>(emptyDemographics)
  const [errors, setErrors] = useState<Partial<Record<keyof Demographics, string>>>({})
  const [error, setError] = useState('')
  const idem = useIdempotencyKey()
  const client = useQueryClient()
  const register = $api.useMutation('post', '/api/patients')

  const name = useSettled(form.name.trim(), typingMs)
  const similar = $api.useQuery('get', '/api/patients', { params: { query: { q: name, limit: 10 } } }, { enabled: name.length >= 2 })
  const matches = name.length >= 2 && similar.data ? similar.data.items : []
  const ranked = [...matches].sort((a, b) => sameAs(b, form).length - sameAs(a, form).length)

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!form.name.trim()) {
      setErrors({ name: 'Type the patient’s name.' })
      return
    }
    const body = registerBody(form)
    setErrors({})
    setError('')
    register.mutate(
      { body, params: { header: { 'Idempotency-Key': idem.keyFor(body) } } },
      {
        onSuccess: (p) => {
          idem.done()
          void client.invalidateQueries({ queryKey: keyOf('/api/patients') })
          onRegistered(p)
        },
        onError: (err) => {
          idem.done()
          const pr = problemOf(err, demographicWords)
          const f = fieldOf(pr.field)
          if (f) setErrors({ [f]: pr.message })
          else setError(pr.message)
        },
      },
    )
  }

  return (
    <section className="panel pts-register" aria-labelledby="pts-register-h">
      <h2 id="pts-register-h">Register a patient</h2>
      <form className="stack" onSubmit={submit} noValidate aria-labelledby="pts-register-h">
        <DemographicFields value={form} onChange={setForm} errors={errors} />
        {ranked.length > 0 && (
          <div className="pts-dupes" role="region" aria-labelledby="pts-dupes-h" data-testid="likely-duplicates">
            <h3 id="pts-dupes-h">Is this one of these?</h3>
            <p className="muted">
              {similar.data && similar.data.total > ranked.length
                ? `${similar.data.total} records have a name starting like this; the first ${ranked.length}:`
                : 'Records with a name starting like this:'}
            </p>
            <ul className="pts-dupe-list">
              {ranked.map((p) => (
                <li key={p.id}>
                  <span>
                    <strong>{p.name}</strong> <span className="muted">{p.mrn}</span>
                    {p.date_of_birth && <> · born {formatDate(p.date_of_birth)}</>}
                    {p.phone && <> · {p.phone}</>}
                    {sameAs(p, form).map((w) => (
                      <span key={w} className="tag tag-warn pts-tag">
                        {w}
                      </span>
                    ))}
                  </span>
                  <button type="button" className="btn btn-small" onClick={() => onOpen(p)}>
                    Open this record
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="row">
          <SubmitButton busy={register.isPending} busyText="Registering…">
            {ranked.length > 0 ? 'None of these: register a new patient' : 'Register'}
          </SubmitButton>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <ErrorText error={error} />
        </div>
      </form>
    </section>
  )
}
