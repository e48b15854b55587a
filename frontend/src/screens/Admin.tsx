// The admin's hub: where to go for each task, what can be done here now (users, departments, the audit
// log, email and SMS deliveries, broadcasts), and what is not built yet, shown as such rather than with
// made-up figures.
import type { ReactNode } from 'react'
import { Link } from 'wouter'
import { Audit } from './admin/Audit'
import { Broadcast } from './admin/Broadcast'
import { Deliveries } from './admin/Deliveries'
import { Departments } from './admin/Departments'
import { Users } from './admin/Users'
import './admin.css'

/** Features planned but not built: listed so nobody looks for them elsewhere. */
const later: { title: string; text: string }[] = [
  { title: 'Billing', text: 'Invoices, payments and insurance claims.' },
  { title: 'Reports & analytics', text: 'Waiting times, attendance and workload over weeks and months.' },
  { title: 'Roles & permissions', text: 'Fine-grained permissions beyond the four roles.' },
]

export function AdminScreen() {
  return (
    <div className="stack adm">
      <h1>Administration</h1>
      <nav aria-label="Admin tasks">
        <ul className="adm-hub">
          <Card title="Reception" text="Check patients in, walk-ins and emergencies; today's queues." to="/reception" />
          <Card title="Ward displays" text="Waiting-room boards for each department, full screen." to="/display" />
          <Card title="Patients" text="Find a patient; open a record by breaking the glass (audited)." to="/patients" />
          <Card title="Beds" text="Every ward's free and occupied beds, live." to="/beds" />
          <Card title="Users" text="Accounts, roles and which are disabled." anchor="adm-users" />
          <Card title="Departments" text="The hospital's departments; add a new one." anchor="adm-departments" />
          <Card title="Audit log" text="Who read or changed patient records." anchor="adm-audit" />
          <Card title="Deliveries" text="Email and SMS sent; failed ones (dead letters) to retry." anchor="adm-deliveries" />
          <Card title="Broadcast" text="A message to everyone signed in." anchor="adm-broadcast" />
        </ul>
      </nav>
      <section aria-labelledby="adm-later-h">
        <h2 id="adm-later-h" className="adm-later-h">
          Not built yet
        </h2>
        <ul className="adm-hub">
          {later.map((f) => (
            <li key={f.title} className="adm-card adm-later" aria-disabled="true" data-testid="coming-later">
              <span className="adm-card-title">{f.title}</span>
              <span>{f.text}</span>
              <span className="tag">Coming later</span>
            </li>
          ))}
        </ul>
      </section>
      <div className="grid-2 adm-top">
        <Departments />
        <Broadcast />
      </div>
      <Users />
      <Audit />
      <Deliveries />
    </div>
  )
}

/** A task card: a link to another screen (to) or to a section further down this one (anchor). */
function Card({ title, text, to, anchor }: { title: string; text: string; to?: string; anchor?: string }) {
  const body: ReactNode = (
    <>
      <span className="adm-card-title">{title}</span>
      <span className="muted">{text}</span>
    </>
  )
  return (
    <li>
      {to ? (
        <Link href={to} className="adm-card adm-link">
          {body}
        </Link>
      ) : (
        <a href={`#${anchor}`} className="adm-card adm-link">
          {body}
        </a>
      )}
    </li>
  )
}
