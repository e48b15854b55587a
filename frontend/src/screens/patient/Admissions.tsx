// The portal's hospital stays section: each admission of the patient, the ward and bed, the doctor in
// charge, when they were admitted and discharged, and the discharge summary.
import { $api } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { components } from '../../api/schema'
import { Tag } from '../../components/labels'
import { Pending } from './Pending'
import { useDoctorName } from './useDoctorName'

type Admission = components['schemas']['Admission']

/** Stays read at once (the server's most). */
const pageSize = 100

/** Where the patient went on discharge, in their words. */
const dispositionWords: Record<NonNullable<Admission['disposition']>, string> = {
  home: 'Went home',
  'transferred-out': 'Moved to another hospital',
  'against-advice': 'Left against medical advice',
  deceased: 'Died in hospital',
  other: 'Discharged',
}

export function Admissions({ patientID }: { patientID: string }) {
  const list = $api.useQuery('get', '/api/patients/{id}/admissions', {
    params: { path: { id: patientID }, query: { page: 1, limit: pageSize } },
  })
  const doctorName = useDoctorName()

  return (
    <>
      <h1>My hospital stays</h1>
      {!list.data ? (
        <Pending read={list} what="your hospital stays" />
      ) : list.data.items.length === 0 ? (
        <section className="panel">
          <p className="muted">You have not stayed in the hospital.</p>
        </section>
      ) : (
        <section className="panel" aria-labelledby="pt-stays-title">
          <h2 id="pt-stays-title" className="sr-only">
            Stays
          </h2>
          <ul className="pt-cards">
            {list.data.items.map((a) => (
              <li key={a.id} className="pt-card pt-stay" data-testid={`stay-${a.id}`}>
                <div className="pt-what">
                  <div className="pt-doctor-name">
                    {a.ward_name ?? 'A ward'}, bed {a.bed_label}
                  </div>
                  {doctorName(a.doctor_id) && <div>In the care of {doctorName(a.doctor_id)}</div>}
                  {a.reason && <div className="pt-reason">{a.reason}</div>}
                  <dl className="pt-facts">
                    <dt>Admitted</dt>
                    <dd>{formatDateTime(a.admitted_at, 'auto')}</dd>
                    {a.discharged_at && (
                      <>
                        <dt>Discharged</dt>
                        <dd>{formatDateTime(a.discharged_at, 'auto')}</dd>
                      </>
                    )}
                  </dl>
                  {a.discharge_summary && (
                    <p className="pt-pre">
                      <strong>Discharge summary: </strong>
                      {a.discharge_summary}
                    </p>
                  )}
                </div>
                <div className="pt-card-side">
                  {a.status === 'active' ? (
                    <Tag tone="tag-warn">In hospital now</Tag>
                  ) : (
                    <Tag tone="pt-tag-off">{a.disposition ? dispositionWords[a.disposition] : 'Discharged'}</Tag>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  )
}
