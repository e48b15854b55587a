// Erasing a patient's personal data (admins; POST /api/patients/{id}/erasure with {confirm: true}): a
// confirmation saying what is erased and what the law keeps, confirmed by typing the patient's MRN, and
// the answer — the name the record carries from now on — in words.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'

/** What the record is after an erasure, said in words ("Erased on …; the record is now …"). */
export function erasureWords(r: { pseudonym: string; erased_at: string }): string {
  return `Erased on ${formatDateTime(r.erased_at)}. The record is now “${r.pseudonym}”.`
}

export function ErasePatient({
  patient,
  onErased,
}: {
  patient: { id: string; name: string; mrn?: string }
  onErased: (r: { pseudonym: string; erased_at: string }) => void
}) {
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [problem, setProblem] = useState('')
  const client = useQueryClient()
  const erase = $api.useMutation('post', '/api/patients/{id}/erasure')
  const mrn = patient.mrn ?? ''
  // A record without an MRN (registered before MRNs) is confirmed by its name.
  const key = mrn || patient.name
  const keyWords = mrn ? `the MRN, ${mrn},` : `the name, ${patient.name},`

  const close = () => {
    setOpen(false)
    setTyped('')
    setProblem('')
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (typed.trim().toUpperCase() !== key.toUpperCase()) {
      setProblem(`Type ${keyWords} to confirm.`)
      return
    }
    setProblem('')
    erase.mutate(
      { params: { path: { id: patient.id } }, body: { confirm: true } },
      {
        onSuccess: (r) => {
          close()
          onErased(r)
          for (const p of ['/api/patient/{id}', '/api/patients'] as const) {
            void client.invalidateQueries({ queryKey: keyOf(p) })
          }
        },
        onError: (err) => setProblem(messageOf(err)),
      },
    )
  }

  return (
    <>
      <button type="button" className="btn btn-small btn-danger" onClick={() => setOpen(true)}>
        Erase personal data…
      </button>
      <ModalDialog role="alertdialog" isOpen={open} onClose={close} title={`Erase the personal data of ${patient.name}?`}>
        <form className="stack" onSubmit={submit} aria-label="Erase personal data" noValidate>
          <p>
            <strong>Erased:</strong> the name (the record is renamed “Erased patient” and a code), email, phone, address,
            emergency contacts and date of birth; the patient’s name on appointments; the messages sent to the patient.
            Their account is closed and signed out everywhere.
          </p>
          <p>
            <strong>Kept, as the law requires:</strong> {mrn ? `the MRN ${mrn}` : 'the record'} under the new name, and the clinical record —
            medical history and its versions, prescriptions, lab reports, admissions.
          </p>
          <p>This cannot be undone.</p>
          <label className="pts-field">
            Type {keyWords} to confirm
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={problem ? true : undefined}
            />
          </label>
          <div className="row">
            <SubmitButton busy={erase.isPending} busyText="Erasing…" className="btn-danger">
              Erase personal data
            </SubmitButton>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          </div>
          <ErrorText error={problem} block />
        </form>
      </ModalDialog>
    </>
  )
}
