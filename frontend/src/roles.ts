// What the signed-in user may do and see. A role is one of the four built-in roles or a custom one built
// on a kind (admin, doctor, staff, patient); its grants (the session's user.permissions, from sign-in,
// refresh and GET /api/me) decide which screens and actions are offered. The server checks the same
// grants on every request: hiding an action here is for clarity, not security.
import { session } from './api/client'
import type { Permission, Role, User } from './api/types'

/** The part of a user the helpers read. */
export type Who = Pick<User, 'role'> & Partial<Pick<User, 'role_id' | 'permissions'>>

/** Whether the user (the signed-in one by default) is granted perm. */
export function can(perm: Permission, user: Who | undefined = session.current?.user): boolean {
  return user?.permissions?.includes(perm) ?? false
}

/** Whether the user is granted any of perms. */
export function canAny(perms: Permission[], user: Who | undefined = session.current?.user): boolean {
  return perms.some((p) => can(p, user))
}

/** The grants that open the Admin screen: any of its tabs. */
export const adminPermissions: Permission[] = ['users.manage', 'roles.manage', 'audit.read', 'integration.manage', 'settings.manage', 'notify.deliveries']

export interface NavItem {
  href: string
  label: string
}

/** What each screen needs: a grant (any of several), or the kind of role where the kind is what matters. */
export const screens: { href: string; label: string; allowed: (u: Who) => boolean }[] = [
  // The doctor's own queue is for doctor accounts (it is their queue) that may consult.
  { href: '/doctor', label: 'My queue', allowed: (u) => u.role === 'doctor' && can('queue.consult', u) },
  // A patient's own health record is for patient accounts.
  { href: '/patient', label: 'My health', allowed: (u) => u.role === 'patient' },
  { href: '/admin', label: 'Admin', allowed: (u) => canAny(adminPermissions, u) },
  // The front desk. A doctor may check a patient in from their own desk (My queue), so the doctor kind
  // is not offered the reception screen as well.
  { href: '/reception', label: 'Reception', allowed: (u) => can('queue.checkin', u) && u.role !== 'doctor' },
  { href: '/patients', label: 'Patients', allowed: (u) => can('patient.search', u) },
  { href: '/beds', label: 'Beds', allowed: (u) => can('ward.view', u) },
  // The pharmacy's work: dispensing or keeping the stock (reading the catalogue alone is not a screen).
  { href: '/pharmacy', label: 'Pharmacy', allowed: (u) => canAny(['pharmacy.dispense', 'pharmacy.stock'], u) },
  { href: '/billing', label: 'Billing', allowed: (u) => can('billing.invoice', u) },
  { href: '/lab', label: 'Lab', allowed: (u) => can('lab.queue', u) },
  // Reports open from the Admin overview; a role with reports but no Admin tab gets a link of its own.
  { href: '/reports', label: 'Reports', allowed: (u) => can('reports.read', u) && !canAny(adminPermissions, u) },
  { href: '/display', label: 'Ward display', allowed: (u) => u.role !== 'patient' },
  { href: '/notifications', label: 'Notifications', allowed: () => true },
]

/** Whether the user may open the screen at path (its first segment decides). */
export function mayOpen(path: string, user: Who): boolean {
  switch (path) {
    case '/reports':
      return can('reports.read', user)
    case '/billing/claims':
      return can('billing.invoice', user)
  }
  const s = screens.find((x) => x.href === path)
  return s ? s.allowed(user) : true
}

/** The navigation the user sees: the screens their kind and grants open. */
export function navOf(user: Who): NavItem[] {
  return screens.filter((s) => s.allowed(user)).map(({ href, label }) => ({ href, label }))
}

/** Where the user starts after signing in: the first screen of their navigation. */
export function homeOf(user: Who): string {
  return navOf(user)[0]?.href ?? '/notifications'
}

/** Whether the user receives emergency alerts (the banner): alert.respond. */
export function getsAlerts(user: Who | undefined = session.current?.user): boolean {
  return can('alert.respond', user)
}

const builtinNames: Record<Role, string> = { admin: 'Administrator', doctor: 'Doctor', staff: 'Staff', patient: 'Patient' }

/** A role id in words: a built-in role's name, a custom role's id spelt out ("lab-technician" → "Lab technician"). */
export function roleIdWords(id: string): string {
  if (id in builtinNames) return builtinNames[id as Role]
  const words = id.replace(/-+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The user's role in words, for the header. */
export function roleLabel(user: Who): string {
  return roleIdWords(user.role_id || user.role)
}
