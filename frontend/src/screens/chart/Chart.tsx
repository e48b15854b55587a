// A patient's chart as a doctor works in it during a visit or a ward round: who the patient is (allergies,
// conditions, medical history and its earlier versions), then the sections of the visit — the encounter
// (reason, notes, diagnoses), vitals, procedures, prescriptions, lab orders and results, referral and admission.
// Opened from the ticket being seen (with its appointment, whose encounter it opens) or for an
// inpatient. Live: patient:<id> events (a released lab report, a refill due) reload what they touch.
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components'
import { useState } from 'react'
import { messageOf, session } from '../../api/client'
import { $api } from '../../api/query'
import { LoadError } from '../../components/forms'
import { useLiveQueries } from '../../live/useLiveQuery'
import { EncounterSection } from './EncounterSection'
import { LabSection } from './LabSection'
import { PatientHeader } from './PatientHeader'
import { PrescriptionsSection } from './PrescriptionsSection'
import { ProceduresSection } from './ProceduresSection'
import { ReferAdmitSection } from './ReferAdmitSection'
import { VitalsSection } from './VitalsSection'
import { useVisitEncounter } from './useVisitEncounter'
import '../chart.css'

export interface ChartProps {
  patientId: string
  /** The appointment being seen: its encounter is the one opened and written. */
  appointmentId?: string
  /** Why the patient came, as booked or told at check-in: the new encounter's reason. */
  visitReason?: string
  onClose: () => void
}

export function Chart({ patientId, appointmentId, visitReason, onClose }: ChartProps) {
  const me = session.current?.user.id ?? ''
  const patient = $api.useQuery('get', '/api/patient/{id}', { params: { path: { id: patientId } } })
  const visit = useVisitEncounter(patientId, appointmentId)
  const [tab, setTab] = useState<string>('encounter')

  useLiveQueries(`patient:${patientId}`, [
    '/api/patients/{id}/lab-orders',
    '/api/patients/{id}/prescriptions',
    '/api/patient/{id}',
  ])

  const name = patient.data?.name ?? ''
  return (
    <section className="panel ch" aria-labelledby="ch-title" data-testid="chart" data-no-shortcuts>
      <div className="ch-top">
        <h2 id="ch-title">{name ? `Chart: ${name}` : 'Chart'}</h2>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close chart
        </button>
      </div>
      <LoadError error={patient.error ? messageOf(patient.error) : ''} retry={() => void patient.refetch()}>
        Could not load the patient’s record
      </LoadError>
      {patient.data && <PatientHeader patient={patient.data} />}
      <Tabs selectedKey={tab} onSelectionChange={(k) => setTab(String(k))} className="ch-tabs">
        <TabList aria-label="Chart sections" className="ch-tablist">
          <Tab id="encounter" className="ch-tab">Encounter</Tab>
          <Tab id="vitals" className="ch-tab">Vitals</Tab>
          <Tab id="procedures" className="ch-tab">Procedures</Tab>
          <Tab id="prescriptions" className="ch-tab">Prescriptions</Tab>
          <Tab id="lab" className="ch-tab">Lab</Tab>
          <Tab id="refer" className="ch-tab">Refer / admit</Tab>
        </TabList>
        <TabPanel id="encounter" className="ch-panel" shouldForceMount>
          <EncounterSection
            patientId={patientId}
            appointmentId={appointmentId}
            visitReason={visitReason}
            visit={visit}
            me={me}
          />
        </TabPanel>
        <TabPanel id="vitals" className="ch-panel" shouldForceMount>
          <VitalsSection visit={visit} />
        </TabPanel>
        <TabPanel id="procedures" className="ch-panel" shouldForceMount>
          <ProceduresSection visit={visit} />
        </TabPanel>
        <TabPanel id="prescriptions" className="ch-panel" shouldForceMount>
          <PrescriptionsSection patientId={patientId} encounterId={visit.encounter?.id} />
        </TabPanel>
        <TabPanel id="lab" className="ch-panel" shouldForceMount>
          <LabSection patientId={patientId} encounterId={visit.encounter?.id} appointmentId={appointmentId} />
        </TabPanel>
        <TabPanel id="refer" className="ch-panel" shouldForceMount>
          <ReferAdmitSection patientId={patientId} appointmentId={appointmentId} me={me} />
        </TabPanel>
      </Tabs>
    </section>
  )
}
