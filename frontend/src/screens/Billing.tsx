// The billing desk (/billing), for staff and admins: find a patient (the shared patient finder), then
// their account: the unbilled charges (draft an invoice of some or all, void one), a charge posted by
// hand, the invoices with their state and balance and the account's balance due, and the invoice
// opened: issue a draft, take a payment, download the PDF and receipts, refund (admins); the patient's
// insurance policies (add, end) and an issued invoice's shares and claim. The claims board
// (/billing/claims) is a link away. Live on the staff channel `billing`: a `billing.changed` event
// naming this patient reloads their account.
import { useState } from 'react'
import { Link } from 'wouter'
import { can } from '../roles'
import type { PatientSummary } from '../api/types'
import { describePatient, PatientField } from '../components/fields'
import { useLiveQueries } from '../live/useLiveQuery'
import { Charges } from './billing/Charges'
import { InvoiceDetail } from './billing/InvoiceDetail'
import { Invoices } from './billing/Invoices'
import { Policies } from './billing/Policies'
import { PostCharge } from './billing/PostCharge'
import { useBillingConfig } from '../api/billing'
import './billing.css'

/** What a billing.changed event says (ids only). */
interface BillingChanged {
  patient_id?: string
  invoice_id?: string
  kind?: string
}

export function BillingScreen() {
  const [patientID, setPatientID] = useState('')
  const [patient, setPatient] = useState<PatientSummary | null>(null)
  return (
    <div className="stack bl">
      <div className="row">
        <h1>Billing</h1>
        <span className="spacer" />
        <Link href="/billing/claims" className="btn">
          Claims board
        </Link>
      </div>
      <section className="panel bl-find" aria-label="Find a patient">
        <PatientField
          value={patientID}
          onChange={(id) => {
            setPatientID(id)
            if (!id) setPatient(null)
          }}
          onPick={setPatient}
        />
      </section>
      {patient && patientID === patient.id ? (
        <Account key={patient.id} patient={patient} />
      ) : (
        <p className="muted">Find the patient by name, MRN or patient ID to see their account.</p>
      )}
    </div>
  )
}

function Account({ patient }: { patient: PatientSummary }) {
  const canRefund = can('billing.refund')
  const config = useBillingConfig()
  const [open, setOpen] = useState('')
  useLiveQueries(
    'billing',
    ['/api/patients/{id}/charges', '/api/invoices', '/api/invoices/{id}', '/api/patients/{id}/policies', '/api/claims/{id}'],
    (e) => e.type === 'billing.changed' && (e.data as BillingChanged | null)?.patient_id === patient.id,
  )
  return (
    <div className="stack" aria-label={`Account of ${patient.name}`} role="region">
      <div className="bl-who">
        <h2>{patient.name}</h2>
        <span className="muted">{describePatient(patient, false)}</span>
      </div>
      <div className="bl-grid">
        <Charges patientID={patient.id} onDrafted={(inv) => setOpen(inv.id)} />
        <div className="stack">
          <PostCharge patientID={patient.id} />
          <Policies patientID={patient.id} currency={config.data?.currency ?? ''} />
        </div>
      </div>
      <Invoices patientID={patient.id} currency={config.data?.currency ?? ''} open={open} choose={setOpen} />
      {open && <InvoiceDetail key={open} id={open} canRefund={canRefund} close={() => setOpen('')} />}
    </div>
  )
}
