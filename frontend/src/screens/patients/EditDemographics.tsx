// Edit a record's demographics (PATCH /api/patients/{id}): only the fields changed are sent; the
// server's complaint is shown at the field it names. Medical content is not edited here.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { $api, keyOf } from '../../api/query'
import { ErrorText, SubmitButton } from '../../components/forms'
import { DemographicFields, demographicWords, fieldOf, fromPatient, patchBody, type Demographics, type Patient } from './demographics'
import { problemOf } from './fields'

export function EditDemographics({ patient, onDone }: { patient: Patient; onDone: () => void }) {
  const before = fromPatient(patient)
  const [form, setForm] = useState<Demographics>(before)
  const [errors, setErrors] = useState<Partial<Record<keyof Demographics, string>>>({})
  const [error, setError] = useState('')
  const client = useQueryClient()
  const save = $api.useMutation('patch', '/api/patients/{id}')

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body = patchBody(form, before)
    if (Object.keys(body).length === 0) {
      onDone()
      return
    }
    setErrors({})
    setError('')
    save.mutate(
      { params: { path: { id: patient.id } }, body },
      {
        onSuccess: () => {
          void client.invalidateQueries({ queryKey: keyOf('/api/patient/{id}') })
          void client.invalidateQueries({ queryKey: keyOf('/api/patients') })
          onDone()
        },
        onError: (err) => {
          const pr = problemOf(err, demographicWords)
          const f = fieldOf(pr.field)
          if (f) setErrors({ [f]: pr.message })
          else setError(pr.message)
        },
      },
    )
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Edit the patient's details">
      <DemographicFields value={form} onChange={setForm} errors={errors} />
      <div className="row">
        <SubmitButton busy={save.isPending} busyText="Saving…">
          Save the details
        </SubmitButton>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <ErrorText error={error} />
      </div>
    </form>
  )
}
