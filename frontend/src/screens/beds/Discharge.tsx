// Discharge an admission (POST /api/admissions/{id}/discharge): a summary and where the patient went;
// the bed is free again.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { ErrorText, SubmitButton } from '../../components/forms'
import { ModalDialog } from '../../components/ModalDialog'
import { Field } from '../patients/fields'
import { boardChanged } from './invalidate'
import type { Admission, Disposition } from './types'

const dispositionWords: Record<Disposition, string> = {
  home: 'Home',
  'transferred-out': 'Transferred to another hospital',
  'against-advice': 'Left against medical advice',
  deceased: 'Deceased',
  other: 'Other',
}

export function DischargeDialog({ admission, wardName, onClose }: { admission: Admission; wardName: string; onClose: () => void }) {
  const [summary, setSummary] = useState('')
  const [disposition, setDisposition] = useState<Disposition>('home')
  const [problem, setProblem] = useState('')
  const [error, setError] = useState('')
  const client = useQueryClient()
  const discharge = $api.useMutation('post', '/api/admissions/{id}/discharge')
  const who = admission.patient_name ?? 'the patient'

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setError('')
    if (!summary.trim()) {
      setProblem('Write the discharge summary.')
      return
    }
    setProblem('')
    discharge.mutate(
      { params: { path: { id: admission.id } }, body: { summary: summary.trim(), disposition } },
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
    <ModalDialog isOpen onClose={onClose} title={`Discharge ${who}`}>
      <p className="muted">
        {wardName}, bed {admission.bed_label} · admitted {formatDateTime(admission.admitted_at, 'auto')}
      </p>
      <form className="stack" onSubmit={submit} noValidate aria-label={`Discharge ${who}`}>
        <Field label="Discharge summary" error={problem}>
          {(ids) => (
            <textarea
              id={ids.id}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid || undefined}
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
              rows={4}
            />
          )}
        </Field>
        <Field label="Discharged to">
          {(ids) => (
            <select id={ids.id} value={disposition} onChange={(e) => setDisposition(e.target.value as Disposition)}>
              {(Object.keys(dispositionWords) as Disposition[]).map((d) => (
                <option key={d} value={d}>
                  {dispositionWords[d]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="row">
          <SubmitButton busy={discharge.isPending} busyText="Discharging…">
            Discharge and free the bed
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
