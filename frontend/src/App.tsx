// The app: boot (desktop settings, remembered session), sign-in, then the screen for the route, inside
// one live connection. Routes: /reception, /doctor, /patient[/section], /admin, /patients, /beds, /pharmacy, /lab,
// /notifications,
// /display[/:department], /settings. The header's bell shows the user's notifications on every screen but the
// displays; under it, staff-side screens show the emergency alerts, and every one an admin's broadcast.
// The header holds at 1024×768: under 1280 px the navigation folds into a menu (shell.css).
import { QueryClientProvider } from '@tanstack/react-query'
import { useEffect, useState, useSyncExternalStore } from 'react'
import { Link, Redirect, Route, Switch, useLocation } from 'wouter'
import { messageOf, session } from './api/client'
import { queryClient } from './api/query'
import type { SessionState } from './api/session'
import { loadHospital } from './api/time'
import { AlertBanner } from './components/AlertBanner'
import { LiveBadge } from './components/LiveBadge'
import { desktopConfig, isDesktop, report, type DesktopConfig } from './desktop'
import { LiveProvider } from './live/LiveProvider'
import { InboxProvider } from './notifications/InboxProvider'
import { BroadcastNotice } from './notifications/BroadcastNotice'
import { NotificationBell } from './notifications/NotificationBell'
import { NavMenu } from './components/NavMenu'
import { RaiseAlert } from './components/RaiseAlert'
import { getsAlerts, homeOf, navOf, roleLabel } from './roles'
import './shell.css'
import { AdminScreen } from './screens/Admin'
import { BedsScreen } from './screens/Beds'
import { LabScreen } from './screens/Lab'
import { PharmacyScreen } from './screens/Pharmacy'
import { NotificationsScreen } from './screens/Notifications'
import { PatientsScreen } from './screens/Patients'
import { DisplayScreen } from './screens/Display'
import { DoctorScreen } from './screens/Doctor'
import { PatientScreen } from './screens/Patient'
import { ReceptionScreen } from './screens/Reception'
import { SettingsScreen } from './screens/Settings'
import { SignInScreen } from './screens/SignIn'
import { ConfirmScreen } from './screens/Confirm'
import { ForgotPasswordScreen } from './screens/ForgotPassword'
import { ResetPasswordScreen } from './screens/ResetPassword'
import { SignUpScreen } from './screens/SignUp'

function useSession(): SessionState | null {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.current,
  )
}

type Boot = { phase: 'loading' } | { phase: 'ready'; desktop?: DesktopConfig } | { phase: 'failed'; error: string }

export function App() {
  const [boot, setBoot] = useState<Boot>({ phase: 'loading' })
  const s = useSession()

  useEffect(() => {
    let gone = false
    ;(async () => {
      const desktop = await desktopConfig()
      // The hospital's zone and locale come first: every date on every screen is written in them.
      await loadHospital().catch(() => undefined)
      if (!desktop?.first_run) await session.restore().catch(() => null)
      if (!gone) setBoot({ phase: 'ready', desktop })
    })().catch((e: unknown) => !gone && setBoot({ phase: 'failed', error: messageOf(e) }))
    report('ready')
    return () => {
      gone = true
    }
  }, [])

  if (boot.phase === 'loading') return <div className="boot">Starting HMS…</div>
  if (boot.phase === 'failed') return <div className="boot error-text">Could not start: {boot.error}</div>
  if (isDesktop() && boot.desktop?.first_run) {
    return <SettingsScreen first onSaved={(d) => setBoot({ phase: 'ready', desktop: d })} />
  }
  if (!s) {
    return (
      <Switch>
        <Route path="/settings">
          <SettingsScreen onSaved={(d) => setBoot({ phase: 'ready', desktop: d })} />
        </Route>
        <Route path="/signup" component={SignUpScreen} />
        <Route path="/confirm" component={ConfirmScreen} />
        <Route path="/forgot-password" component={ForgotPasswordScreen} />
        <Route path="/reset-password" component={ResetPasswordScreen} />
        <Route>
          <SignInScreen />
        </Route>
      </Switch>
    )
  }
  return (
    <QueryClientProvider client={queryClient}>
      <LiveProvider key={s.user.id}>
        <SignedIn s={s} kiosk={boot.desktop?.kiosk ?? false} kioskDepartment={boot.desktop?.department ?? ''} />
      </LiveProvider>
    </QueryClientProvider>
  )
}

function SignedIn({ s, kiosk, kioskDepartment }: { s: SessionState; kiosk: boolean; kioskDepartment: string }) {
  const [location] = useLocation()
  const role = s.user.role
  const nav = [...navOf(role), ...(isDesktop() ? [{ href: '/settings', label: 'Settings' }] : [])]
  if (kiosk) {
    // A ward kiosk shows only the display; the department comes from the desktop settings.
    return <DisplayScreen department={kioskDepartment || undefined} kiosk />
  }
  if (location.startsWith('/display')) {
    return (
      <Switch>
        <Route path="/display/:department">{(p) => <DisplayScreen department={p.department} />}</Route>
        <Route>
          <DisplayScreen />
        </Route>
      </Switch>
    )
  }
  return (
    <InboxProvider userID={s.user.id}>
      <div className="shell">
        <header className="topbar">
          <span className="brand">HMS</span>
          <nav aria-label="Main" className="nav-wide">
            {nav.map((n) => (
              <Link key={n.href} href={n.href} className={(active) => (active ? 'nav-link active' : 'nav-link')}>
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="nav-narrow">
            <NavMenu items={nav} />
          </div>
          <span className="spacer" />
          <LiveBadge />
          {getsAlerts(role) && <RaiseAlert />}
          <NotificationBell />
          <span className="who" data-testid="who" title={`${s.user.name} · ${roleLabel(role)}`}>
            <span className="who-name">{s.user.name}</span>
            <span className="who-role"> · {roleLabel(role)}</span>
          </span>
          <button type="button" className="btn btn-quiet sign-out" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </header>
        {getsAlerts(role) && <AlertBanner />}
        <BroadcastNotice />
        <main className="content">
          <Switch>
            <Route path="/reception">{role === 'staff' || role === 'admin' ? <ReceptionScreen /> : <Denied />}</Route>
            <Route path="/doctor">{role === 'doctor' ? <DoctorScreen /> : <Denied />}</Route>
            <Route path="/patient" nest>
              {role === 'patient' ? <PatientScreen /> : <Denied />}
            </Route>
            <Route path="/admin">{role === 'admin' ? <AdminScreen /> : <Denied />}</Route>
            <Route path="/patients">{role !== 'patient' ? <PatientsScreen /> : <Denied />}</Route>
            <Route path="/beds">{role !== 'patient' ? <BedsScreen /> : <Denied />}</Route>
            <Route path="/pharmacy">{role === 'staff' || role === 'admin' ? <PharmacyScreen /> : <Denied />}</Route>
            <Route path="/lab">{role === 'staff' || role === 'doctor' ? <LabScreen /> : <Denied />}</Route>
            <Route path="/notifications">
              <NotificationsScreen />
            </Route>
            <Route path="/settings">
              <SettingsScreen onSaved={() => undefined} />
            </Route>
            <Route>
              <Redirect to={homeOf(role)} replace />
            </Route>
          </Switch>
        </main>
      </div>
    </InboxProvider>
  )
}

function Denied() {
  return (
    <div className="panel">
      <h1>Not available</h1>
      <p>This screen is not for your role. Use the navigation above.</p>
    </div>
  )
}
