// The app: boot (desktop settings, remembered session), sign-in, then the screen for the route, inside
// one live connection. Routes: /reception, /doctor, /patient[/section], /admin, /reports, /patients, /beds, /pharmacy, /billing, /billing/claims, /lab,
// /notifications,
// /display[/:department], /settings. The header's bell shows the user's notifications on every screen but the
// displays; under it, staff-side screens show the emergency alerts, and every one an admin's broadcast.
// The header holds at 1024×768: under 1280 px the navigation folds into a menu (shell.css).
import { QueryClientProvider } from '@tanstack/react-query'
import { Suspense, lazy, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react'
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
import { can, getsAlerts, homeOf, mayOpen, navOf, roleLabel, type Who } from './roles'
import './shell.css'
import { SettingsScreen } from './screens/Settings'
import { SignInScreen } from './screens/SignIn'

// Each screen is its own chunk, loaded when first opened: sign-in needs none of them, and a desk loads
// only its own screens (route-level code splitting).
const AdminScreen = lazy(() => import('./screens/Admin').then((m) => ({ default: m.AdminScreen })))
const ReportsScreen = lazy(() => import('./screens/Reports').then((m) => ({ default: m.ReportsScreen })))
const BedsScreen = lazy(() => import('./screens/Beds').then((m) => ({ default: m.BedsScreen })))
const LabScreen = lazy(() => import('./screens/Lab').then((m) => ({ default: m.LabScreen })))
const BillingScreen = lazy(() => import('./screens/Billing').then((m) => ({ default: m.BillingScreen })))
const ClaimsBoardScreen = lazy(() => import('./screens/ClaimsBoard').then((m) => ({ default: m.ClaimsBoardScreen })))
const PharmacyScreen = lazy(() => import('./screens/Pharmacy').then((m) => ({ default: m.PharmacyScreen })))
const NotificationsScreen = lazy(() => import('./screens/Notifications').then((m) => ({ default: m.NotificationsScreen })))
const PatientsScreen = lazy(() => import('./screens/Patients').then((m) => ({ default: m.PatientsScreen })))
const DisplayScreen = lazy(() => import('./screens/Display').then((m) => ({ default: m.DisplayScreen })))
const DoctorScreen = lazy(() => import('./screens/Doctor').then((m) => ({ default: m.DoctorScreen })))
const PatientScreen = lazy(() => import('./screens/Patient').then((m) => ({ default: m.PatientScreen })))
const ReceptionScreen = lazy(() => import('./screens/Reception').then((m) => ({ default: m.ReceptionScreen })))
const SignUpScreen = lazy(() => import('./screens/SignUp').then((m) => ({ default: m.SignUpScreen })))
const ConfirmScreen = lazy(() => import('./screens/Confirm').then((m) => ({ default: m.ConfirmScreen })))
const ForgotPasswordScreen = lazy(() => import('./screens/ForgotPassword').then((m) => ({ default: m.ForgotPasswordScreen })))
const ResetPasswordScreen = lazy(() => import('./screens/ResetPassword').then((m) => ({ default: m.ResetPasswordScreen })))

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
      <Suspense fallback={<Loading />}>
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
      </Suspense>
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
  const user = s.user
  const nav = [...navOf(user), ...(isDesktop() ? [{ href: '/settings', label: 'Settings' }] : [])]
  if (kiosk) {
    // A ward kiosk shows only the display; the department comes from the desktop settings.
    return (
      <Suspense fallback={<Loading />}>
        <DisplayScreen department={kioskDepartment || undefined} kiosk />
      </Suspense>
    )
  }
  if (location.startsWith('/display')) {
    return (
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/display/:department">{(p) => <DisplayScreen department={p.department} />}</Route>
          <Route>
            <DisplayScreen />
          </Route>
        </Switch>
      </Suspense>
    )
  }
  return (
    <InboxProvider userID={s.user.id}>
      <div className="shell">
        {/* Eight links or more fold into the menu sooner, so the header keeps its name at 1366 px. */}
        <header className={nav.length >= 8 ? 'topbar nav-long' : 'topbar'}>
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
          {can('alert.raise', user) && <RaiseAlert />}
          <NotificationBell />
          <span className="who" data-testid="who" title={`${s.user.name} · ${roleLabel(user)}`}>
            <span className="who-name">{s.user.name}</span>
            <span className="who-role"> · {roleLabel(user)}</span>
          </span>
          <button type="button" className="btn btn-quiet sign-out" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </header>
        {getsAlerts(user) && <AlertBanner />}
        <BroadcastNotice />
        <main className="content">
          <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/reception">{guard('/reception', user, <ReceptionScreen />)}</Route>
            <Route path="/doctor">{guard('/doctor', user, <DoctorScreen />)}</Route>
            <Route path="/patient" nest>
              {guard('/patient', user, <PatientScreen />)}
            </Route>
            <Route path="/admin">{guard('/admin', user, <AdminScreen />)}</Route>
            <Route path="/reports">{guard('/reports', user, <ReportsScreen />)}</Route>
            <Route path="/patients">{guard('/patients', user, <PatientsScreen />)}</Route>
            <Route path="/beds">{guard('/beds', user, <BedsScreen />)}</Route>
            <Route path="/pharmacy">{guard('/pharmacy', user, <PharmacyScreen />)}</Route>
            <Route path="/billing/claims">{guard('/billing/claims', user, <ClaimsBoardScreen />)}</Route>
            <Route path="/billing">{guard('/billing', user, <BillingScreen />)}</Route>
            <Route path="/lab">{guard('/lab', user, <LabScreen />)}</Route>
            <Route path="/notifications">
              <NotificationsScreen />
            </Route>
            <Route path="/settings">
              <SettingsScreen onSaved={() => undefined} />
            </Route>
            <Route>
              <Redirect to={homeOf(user)} replace />
            </Route>
          </Switch>
          </Suspense>
        </main>
      </div>
    </InboxProvider>
  )
}

/** What shows while a screen's code arrives (a moment, once per screen). */
function Loading() {
  return (
    <div className="boot" role="status">
      Loading…
    </div>
  )
}

/** The screen when the user's kind and grants open it, else a word on why not. */
function guard(path: string, user: Who, screen: ReactNode): ReactNode {
  return mayOpen(path, user) ? screen : <Denied />
}

function Denied() {
  return (
    <div className="panel">
      <h1>Not available</h1>
      <p>Your role is not granted this screen. Use the navigation above, or ask an administrator.</p>
    </div>
  )
}
