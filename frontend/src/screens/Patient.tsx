// The patient's portal, at /patient and its sections: appointments (the start), past visits, the
// record, prescriptions, lab reports, admissions, bills, nearby hospitals, the profile and "my data"
// (export and erasure).
// Each section reads what it shows through the query cache; the patient's own channel keeps it fresh.
import { Redirect, Route, Switch, useSearch } from 'wouter'
import { session } from '../api/client'
import { Admissions } from './patient/Admissions'
import { Appointments } from './patient/Appointments'
import { Bills } from './patient/Bills'
import { LabReports } from './patient/LabReports'
import { MyData } from './patient/MyData'
import { Nearby } from './patient/Nearby'
import { PortalNav } from './patient/PortalNav'
import { Prescriptions } from './patient/Prescriptions'
import { Profile } from './patient/Profile'
import { Record } from './patient/Record'
import { Visits } from './patient/Visits'
import './patient.css'

export function PatientScreen() {
  const patientID = session.current?.user.patient_id ?? ''
  const search = useSearch()

  if (!patientID) {
    return (
      <div className="panel">
        <h1>My health</h1>
        <p>Your account is not linked to a patient record yet. Please ask reception to link it.</p>
      </div>
    )
  }

  return (
    <div className="pt" data-testid="patient-screen">
      <PortalNav />
      <Switch>
        <Route path="/visits">
          <Visits patientID={patientID} />
        </Route>
        <Route path="/record">
          <Record patientID={patientID} />
        </Route>
        <Route path="/prescriptions">
          <Prescriptions patientID={patientID} />
        </Route>
        <Route path="/lab-reports">
          <LabReports patientID={patientID} />
        </Route>
        <Route path="/admissions">
          <Admissions patientID={patientID} />
        </Route>
        <Route path="/profile">
          <Profile patientID={patientID} />
        </Route>
        <Route path="/bills">
          <Bills patientID={patientID} />
        </Route>
        <Route path="/nearby">
          <Nearby />
        </Route>
        <Route path="/my-data">
          <MyData />
        </Route>
        <Route>
          {/* The online payment page sends the patient back to /patient?section=bills&invoice=…&paid=1. */}
          {new URLSearchParams(search).get('section') === 'bills' ? (
            <Redirect to={`/bills?${search}`} replace />
          ) : (
            <Appointments patientID={patientID} />
          )}
        </Route>
      </Switch>
    </div>
  )
}
