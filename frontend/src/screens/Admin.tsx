// The admin's screen: setting the hospital up (accounts, doctors' profiles, schedules and leave,
// departments, wards and beds, the price list, the insurers, integration clients of the FHIR API) and keeping watch (activity log, access grants, deliveries, broadcasts), one tab each, with
// an overview of the other screens and of what is not built yet. Roles and what each may do have a tab
// of their own (admin/Roles); each tab shows only to a role granted what it needs. The tab is in the address (#adm-…),
// so a link or a card can open one.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react'
import { Tab, TabList, TabPanel, Tabs, type Key } from 'react-aria-components'
import { Link } from 'wouter'
import { AccessGrants } from './admin/AccessGrants'
import { Broadcast } from './admin/Broadcast'
import { Deliveries } from './admin/Deliveries'
import { Departments } from './admin/Departments'
import { Doctors } from './admin/Doctors'
import { Hospitals } from './admin/Hospitals'
import { IntegrationClients } from './admin/IntegrationClients'
import { NewAccount } from './admin/NewAccount'
import { Payers } from './admin/Payers'
import { Prices } from './admin/Prices'
import { Roles } from './admin/Roles'
import { Users } from './admin/Users'
import { Wards } from './admin/Wards'
import { Webhooks } from './admin/Webhooks'
import type { Permission } from '../api/types'
import { can } from '../roles'
import './admin.css'

/** The activity log, loaded when its tab is first opened. */
const ActivityLog = lazy(() => import('./admin/ActivityLog').then((m) => ({ default: m.ActivityLog })))

/** Features planned but not built: listed so nobody looks for them elsewhere. */
const later: { title: string; text: string }[] = []

/** The tabs, by the id each has in the address, and the grant each needs (none: every admin). */
const allTabs = [
  { id: 'adm-overview', label: 'Overview' },
  { id: 'adm-users', label: 'Accounts', perm: 'users.manage' },
  { id: 'adm-roles', label: 'Roles', perm: 'roles.manage' },
  { id: 'adm-doctors', label: 'Doctors', perm: 'settings.manage' },
  { id: 'adm-departments', label: 'Departments', perm: 'settings.manage' },
  { id: 'adm-wards', label: 'Wards & beds', perm: 'settings.manage' },
  { id: 'adm-prices', label: 'Prices', perm: 'settings.manage' },
  { id: 'adm-payers', label: 'Payers', perm: 'settings.manage' },
  { id: 'adm-hospitals', label: 'Hospitals', perm: 'settings.manage' },
  { id: 'adm-audit', label: 'Activity log', perm: 'audit.read' },
  { id: 'adm-grants', label: 'Access grants', perm: 'audit.read' },
  { id: 'adm-integrations', label: 'Integrations', perm: 'integration.manage' },
  { id: 'adm-deliveries', label: 'Deliveries', perm: 'notify.deliveries' },
  { id: 'adm-broadcast', label: 'Broadcast', perm: 'notify.broadcast' },
  { id: 'adm-webhooks', label: 'Webhooks', perm: 'webhook.manage' },
] as const satisfies readonly { id: string; label: string; perm?: Permission }[]

type TabID = (typeof allTabs)[number]['id']

/** The tabs the signed-in user's role is granted. */
function shownTabs() {
  return allTabs.filter((t) => !('perm' in t) || can(t.perm))
}

function tabOfHash(): TabID {
  const h = window.location.hash.slice(1)
  return shownTabs().find((t) => t.id === h)?.id ?? 'adm-overview'
}

/** The tab named in the address, following it when a link changes it. */
function useHashTab(): [TabID, (t: TabID) => void] {
  const [tab, setTab] = useState<TabID>(tabOfHash)
  useEffect(() => {
    const follow = () => setTab(tabOfHash())
    window.addEventListener('hashchange', follow)
    return () => window.removeEventListener('hashchange', follow)
  }, [])
  const choose = (t: TabID) => {
    setTab(t)
    window.history.replaceState(window.history.state, '', `#${t}`)
  }
  return [tab, choose]
}

export function AdminScreen() {
  const [tab, setTab] = useHashTab()
  const tabs = shownTabs()
  const shown = new Set<string>(tabs.map((t) => t.id))
  /** The doctor whose profile the Doctors tab shows (a new doctor account opens there). */
  const [doctor, setDoctor] = useState('')
  const openDoctor = (id: string) => {
    setDoctor(id)
    setTab('adm-doctors')
  }
  return (
    <div className="stack adm">
      <h1>Administration</h1>
      <Tabs selectedKey={tab} onSelectionChange={(k: Key) => setTab(k as TabID)}>
        <TabList aria-label="Administration" className="adm-tabs">
          {tabs.map((t) => (
            <Tab key={t.id} id={t.id} className="adm-tab">
              {t.label}
            </Tab>
          ))}
        </TabList>
        <TabPanel id="adm-overview" className="adm-panel">
          <Overview shown={shown} />
        </TabPanel>
        <TabPanel id="adm-users" className="adm-panel stack">
          <NewAccount onDoctor={openDoctor} />
          <Users />
        </TabPanel>
        <TabPanel id="adm-roles" className="adm-panel">
          <Roles />
        </TabPanel>
        <TabPanel id="adm-doctors" className="adm-panel">
          <Doctors selected={doctor} onSelect={setDoctor} />
        </TabPanel>
        <TabPanel id="adm-departments" className="adm-panel">
          <Departments />
        </TabPanel>
        <TabPanel id="adm-wards" className="adm-panel">
          <Wards />
        </TabPanel>
        <TabPanel id="adm-prices" className="adm-panel">
          <Prices />
        </TabPanel>
        <TabPanel id="adm-payers" className="adm-panel">
          <Payers />
        </TabPanel>
        <TabPanel id="adm-hospitals" className="adm-panel">
          <Hospitals />
        </TabPanel>
        <TabPanel id="adm-audit" className="adm-panel">
          <Suspense fallback={<p className="muted">Loading the activity log…</p>}>
            <ActivityLog />
          </Suspense>
        </TabPanel>
        <TabPanel id="adm-grants" className="adm-panel">
          <AccessGrants />
        </TabPanel>
        <TabPanel id="adm-integrations" className="adm-panel">
          <IntegrationClients />
        </TabPanel>
        <TabPanel id="adm-deliveries" className="adm-panel">
          <Deliveries />
        </TabPanel>
        <TabPanel id="adm-broadcast" className="adm-panel">
          <Broadcast />
        </TabPanel>
        <TabPanel id="adm-webhooks" className="adm-panel">
          <Webhooks />
        </TabPanel>
      </Tabs>
    </div>
  )
}

/** Where to go for each task, and what is not built yet, shown as such rather than with made-up figures. */
function Overview({ shown }: { shown: Set<string> }) {
  return (
    <div className="stack">
      <nav aria-label="Admin tasks">
        <ul className="adm-hub">
          <Card title="Reception" text="Check patients in, walk-ins and emergencies; today's queues." to="/reception" />
          <Card title="Ward displays" text="Waiting-room boards for each department, full screen." to="/display" />
          <Card title="Patients" text="Find a patient; open a record by breaking the glass (audited)." to="/patients" />
          <Card title="Beds" text="Every ward's free and occupied beds, live." to="/beds" />
          <Card title="Accounts" text="Add doctor, staff and admin accounts; give each a role; disable an account." shown={shown} anchor="adm-users" />
          <Card title="Roles" text="What each role may do: a permission matrix; custom roles such as Nurse or Lab technician." shown={shown} anchor="adm-roles" />
          <Card title="Doctors" text="Specialty, department, weekly hours and leave: what makes a doctor bookable." shown={shown} anchor="adm-doctors" />
          <Card title="Departments" text="The hospital's departments; add a new one." shown={shown} anchor="adm-departments" />
          <Card title="Wards & beds" text="Add wards and their beds." shown={shown} anchor="adm-wards" />
          <Card title="Billing" text="A patient's charges, invoices and payments at the billing desk." to="/billing" />
          <Card title="Prices" text="The price list: what each consultation, test, medication and bed-day costs." shown={shown} anchor="adm-prices" />
          <Card title="Payers" text="The insurers the hospital claims from; policies and claims use them." shown={shown} anchor="adm-payers" />
          <Card title="Claims board" text="Insurance claims by status: submit, approve, deny, mark paid." to="/billing/claims" />
          <Card title="Reports" text="Operations, admissions, doctor performance and billing over any range; charts, print, CSV." to="/reports" />
          <Card title="Hospitals" text="The directory of nearby hospitals and sites patients and the desk see; import CSV or GeoJSON." shown={shown} anchor="adm-hospitals" />
          <Card title="Activity log" text="Who read or changed patient records, sign-ins, account and settings changes; CSV and chain check." shown={shown} anchor="adm-audit" />
          <Card title="Access grants" text="Who broke the glass to open a patient's records, and why." shown={shown} anchor="adm-grants" />
          <Card title="Integrations" text="Machine clients of the FHIR API: register one, its secret shown once; rotate or revoke it." shown={shown} anchor="adm-integrations" />
          <Card title="Deliveries" text="Email and SMS sent; failed ones (dead letters) to retry." shown={shown} anchor="adm-deliveries" />
          <Card title="Broadcast" text="A message to everyone signed in." shown={shown} anchor="adm-broadcast" />
          <Card title="Webhooks" text="Signed events to other systems, their delivery log and dead letters; partners' inbound webhooks." shown={shown} anchor="adm-webhooks" />
        </ul>
      </nav>
      {later.length > 0 && (
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
      )}
    </div>
  )
}

/** A task card: a link to another screen (to) or to a tab of this one (anchor). */
function Card({ title, text, to, anchor, shown }: { title: string; text: string; to?: string; anchor?: string; shown?: Set<string> }) {
  if (anchor && shown && !shown.has(anchor)) return null
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
