import type { Role } from './api/types'

/** Where each role starts after signing in. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'doctor':
      return '/doctor'
    case 'patient':
      return '/patient'
    case 'admin':
      return '/admin'
    default:
      return '/reception'
  }
}

export interface NavItem {
  href: string
  label: string
}

/** The navigation each role sees. */
export function navOf(role: Role): NavItem[] {
  switch (role) {
    case 'doctor':
      return [
        { href: '/doctor', label: 'My queue' },
        { href: '/patients', label: 'Patients' },
        { href: '/beds', label: 'Beds' },
        { href: '/lab', label: 'Lab' },
        { href: '/display', label: 'Ward display' },
        { href: '/notifications', label: 'Notifications' },
      ]
    case 'patient':
      return [
        { href: '/patient', label: 'My health' },
        { href: '/notifications', label: 'Notifications' },
      ]
    case 'admin':
      return [
        { href: '/admin', label: 'Admin' },
        { href: '/reception', label: 'Reception' },
        { href: '/patients', label: 'Patients' },
        { href: '/beds', label: 'Beds' },
        { href: '/pharmacy', label: 'Pharmacy' },
        { href: '/billing', label: 'Billing' },
        { href: '/display', label: 'Ward display' },
        { href: '/notifications', label: 'Notifications' },
      ]
    default:
      return [
        { href: '/reception', label: 'Reception' },
        { href: '/patients', label: 'Patients' },
        { href: '/beds', label: 'Beds' },
        { href: '/pharmacy', label: 'Pharmacy' },
        { href: '/billing', label: 'Billing' },
        { href: '/lab', label: 'Lab' },
        { href: '/display', label: 'Ward display' },
        { href: '/notifications', label: 'Notifications' },
      ]
  }
}

/** Roles that receive emergency alerts (the hub joins them to the alerts channel). */
export function getsAlerts(role: Role): boolean {
  return role !== 'patient'
}

/** A role in words, for the header. */
export function roleLabel(role: Role): string {
  return { admin: 'Administrator', doctor: 'Doctor', staff: 'Staff', patient: 'Patient' }[role] ?? role
}
