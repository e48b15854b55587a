// The portal's prescriptions section: each medicine the patient was prescribed, its dose and how
// often, whether it is still to be taken, the fills left and when the next refill is due. Live on
// patient:<id>: a refill-due event (after a fill is dispensed) reads that prescription again.
import { usePrescriptionRefresh } from '../../api/prescriptions'
import { $api } from '../../api/query'
import { formatDate } from '../../api/time'
import type { components } from '../../api/schema'
import { Tag } from '../../components/labels'
import { useLiveQueries } from '../../live/useLiveQuery'
import { Pending } from './Pending'
import { useDoctorName } from './useDoctorName'

type Prescription = components['schemas']['Prescription']

/** Prescriptions read at once (the server's most). */
const pageSize = 100
const dayMs = 86_400_000

/**
 * When the next fill is due, YYYY-MM-DD, as the server reckons it (two days before the supply of the
 * last dispensed fill runs out, on the UTC calendar); '' when no fill is left, none was dispensed yet
 * or the prescription was cancelled.
 */
export function refillDue(rx: Prescription): string {
  if (rx.status !== 'active' || rx.fills_left <= 0) return ''
  const dispensed = rx.fills.filter((f) => f.status === 'dispensed').at(-1)
  if (!dispensed) return ''
  return new Date(Date.parse(dispensed.at) + Math.max(rx.duration_days - 2, 0) * dayMs).toISOString().slice(0, 10)
}

export function Prescriptions({ patientID }: { patientID: string }) {
  const list = $api.useQuery('get', '/api/patients/{id}/prescriptions', {
    params: { path: { id: patientID }, query: { page: 1, limit: pageSize } },
  })
  // A refill falling due names its prescription: that one is read again, not the whole list. A (re)sync
  // reads the list again.
  const refresh = usePrescriptionRefresh()
  useLiveQueries(
    `patient:${patientID}`,
    ['/api/patients/{id}/prescriptions'],
    () => false,
    (e) => {
      if (e.type === 'prescription.refill_due') refresh((e.data as { prescription_id?: string }).prescription_id ?? '')
    },
  )
  const items = list.data?.items ?? []
  const active = items.filter((rx) => rx.status === 'active')
  const stopped = items.filter((rx) => rx.status !== 'active')

  return (
    <>
      <h1>My prescriptions</h1>
      {!list.data ? (
        <Pending read={list} what="your prescriptions" />
      ) : items.length === 0 ? (
        <section className="panel">
          <p className="muted">You have no prescriptions.</p>
        </section>
      ) : (
        <>
          <section className="panel" aria-labelledby="pt-rx-current-title">
            <h2 id="pt-rx-current-title">Current</h2>
            {active.length === 0 ? <p className="muted">No current prescriptions.</p> : <RxList items={active} />}
          </section>
          {stopped.length > 0 && (
            <section className="panel" aria-labelledby="pt-rx-stopped-title">
              <h2 id="pt-rx-stopped-title">Stopped</h2>
              <RxList items={stopped} />
            </section>
          )}
        </>
      )}
    </>
  )
}

function RxList({ items }: { items: Prescription[] }) {
  const doctorName = useDoctorName()
  return (
    <ul className="pt-cards">
      {items.map((rx) => (
        <li key={rx.id} className="pt-card pt-rx" data-testid={`rx-${rx.id}`}>
          <div className="pt-what">
            <div className="pt-doctor-name">{rx.medication_name}</div>
            <div>
              {rx.dose}, {rx.frequency}, for {rx.duration_days} {rx.duration_days === 1 ? 'day' : 'days'}
            </div>
            {rx.instructions && <div className="pt-reason">{rx.instructions}</div>}
            <div className="muted pt-small">
              Prescribed {formatDate(rx.created_at, 'auto')}
              {doctorName(rx.prescribed_by) && ` by ${doctorName(rx.prescribed_by)}`}
            </div>
            {rx.status === 'cancelled' && rx.cancel_reason && (
              <div className="muted pt-small">Stopped: {rx.cancel_reason}</div>
            )}
          </div>
          <div className="pt-card-side">
            {rx.status === 'active' ? <Tag tone="tag-ok">Take as prescribed</Tag> : <Tag tone="pt-tag-off">Stopped</Tag>}
            {rx.status === 'active' && <Fills rx={rx} />}
          </div>
        </li>
      ))}
    </ul>
  )
}

function Fills({ rx }: { rx: Prescription }) {
  const due = refillDue(rx)
  const dispensed = rx.fills.filter((f) => f.status === 'dispensed').length
  return (
    <div className="pt-rx-fills" data-testid="fills">
      {dispensed === 0
        ? 'Not collected yet'
        : rx.fills_left === 0
          ? 'No refills left'
          : `${rx.fills_left} ${rx.fills_left === 1 ? 'refill' : 'refills'} left`}
      {due && <div className="pt-rx-due">Next refill due {formatDate(due, 'auto')}</div>}
    </div>
  )
}
