// Lab: order tests (POST /api/patients/{id}/lab-orders) from a short list of common ones or typed, and
// follow each order (GET /api/patients/{id}/lab-orders): enter its results (POST
// /api/lab-orders/{id}/results; the server flags values outside the reference range), attach and open
// report files, and release the report to the patient (POST /api/lab-orders/{id}/release).
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { LabOrderCard } from './LabOrderCard'
import { commonTests, type LabTest } from './model'

interface Props {
  patientId: string
  encounterId?: string
  appointmentId?: string
}

export function LabSection({ patientId, encounterId, appointmentId }: Props) {
  const orders = $api.useQuery('get', '/api/patients/{id}/lab-orders', {
    params: { path: { id: patientId }, query: { limit: 50 } },
  })
  return (
    <div className="ch-section">
      <OrderForm patientId={patientId} encounterId={encounterId} appointmentId={appointmentId} />
      <h3>Lab orders</h3>
      <LoadError error={orders.error ? messageOf(orders.error) : ''} retry={() => void orders.refetch()}>
        Could not load the lab orders
      </LoadError>
      {orders.data &&
        (orders.data.items.length === 0 ? (
          <p className="muted">No lab orders yet.</p>
        ) : (
          <ul className="ch-cards">
            {orders.data.items.map((o) => (
              <LabOrderCard key={o.id} order={o} />
            ))}
          </ul>
        ))}
    </div>
  )
}

function OrderForm({ patientId, encounterId, appointmentId }: Props) {
  const client = useQueryClient()
  const order = $api.useMutation('post', '/api/patients/{id}/lab-orders')
  const [picked, setPicked] = useState<string[]>([])
  const [otherCode, setOtherCode] = useState('')
  const [otherName, setOtherName] = useState('')
  const [priority, setPriority] = useState<'routine' | 'urgent'>('routine')
  const [note, setNote] = useState('')
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')

  const toggle = (code: string) =>
    setPicked((p) => (p.includes(code) ? p.filter((c) => c !== code) : [...p, code]))

  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    setError('')
    setSaved('')
    const tests: LabTest[] = commonTests.filter((t) => picked.includes(t.code))
    if (otherCode.trim() || otherName.trim()) tests.push({ code: otherCode.trim(), name: otherName.trim() })
    if (tests.length === 0) {
      setError('Pick at least one test.')
      return
    }
    order.mutate(
      {
        params: { path: { id: patientId } },
        body: { tests, priority, note: note || undefined, encounter_id: encounterId, appointment_id: appointmentId },
      },
      {
        onSuccess: (o) => {
          setSaved(`Ordered at ${formatDateTime(o.ordered_at, 'auto')}.`)
          setPicked([])
          setOtherCode('')
          setOtherName('')
          setNote('')
          setPriority('routine')
          void client.invalidateQueries({ queryKey: keyOf('/api/patients/{id}/lab-orders') })
        },
        onError: (e) => setError(messageOf(e)),
      },
    )
  }

  return (
    <form className="ch-form" onSubmit={submit} aria-label="Order lab tests">
      <fieldset className="ch-tests">
        <legend>Tests</legend>
        {commonTests.map((t) => (
          <label key={t.code} className="check">
            <input type="checkbox" checked={picked.includes(t.code)} onChange={() => toggle(t.code)} />
            {t.name}
          </label>
        ))}
      </fieldset>
      <div className="ch-fields">
        <label className="ch-narrow">
          Other test code
          <input value={otherCode} onChange={(e) => setOtherCode(e.target.value)} placeholder="FERR" />
        </label>
        <label>
          Other test name
          <input value={otherName} onChange={(e) => setOtherName(e.target.value)} placeholder="Ferritin" />
        </label>
        <label className="ch-narrow">
          Priority
          <select value={priority} onChange={(e) => setPriority(e.target.value as 'routine' | 'urgent')}>
            <option value="routine">Routine</option>
            <option value="urgent">Urgent</option>
          </select>
        </label>
      </div>
      <label>
        Note for the lab
        <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="What to look for" />
      </label>
      <div className="row">
        <SubmitButton busy={order.isPending} busyText="Ordering…">
          Order tests
        </SubmitButton>
        <ErrorText error={error} />
        {saved && (
          <span className="ok-text" role="status">
            {saved}
          </span>
        )}
      </div>
    </form>
  )
}
