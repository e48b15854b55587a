import { describe, expect, it } from 'vitest'
import type { Permission, Role } from './api/types'
import { defaultGrants } from './test/session'
import { homeOf, mayOpen, navOf, roleLabel } from './roles'

const labels = (role: Role, permissions: Permission[]) => navOf({ role, permissions }).map((n) => n.label)

describe('navOf', () => {
  it('gives every role the notifications screen, once', () => {
    for (const role of ['admin', 'doctor', 'staff', 'patient'] satisfies Role[]) {
      expect(navOf({ role, permissions: defaultGrants[role] }).filter((n) => n.href === '/notifications'), role).toEqual([
        { href: '/notifications', label: 'Notifications' },
      ])
    }
  })

  it('shows the built-in roles the screens their default grants open', () => {
    expect(labels('staff', defaultGrants.staff)).toEqual([
      'Reception', 'Patients', 'Beds', 'Pharmacy', 'Billing', 'Lab', 'Ward display', 'Notifications',
    ])
    expect(labels('admin', defaultGrants.admin)).toEqual([
      'Admin', 'Reception', 'Patients', 'Beds', 'Pharmacy', 'Billing', 'Ward display', 'Notifications',
    ])
    expect(labels('patient', defaultGrants.patient)).toEqual(['My health', 'Notifications'])
    // The doctor's nav is as it was before roles could change: their own desk, no front desk or pharmacy.
    expect(labels('doctor', defaultGrants.doctor)).toEqual(['My queue', 'Patients', 'Beds', 'Lab', 'Ward display', 'Notifications'])
  })

  it('gates screens by grants, not by the kind', () => {
    // A nurse: a staff-kind role granted the ward and the chart only.
    const nurse = { role: 'staff' as const, role_id: 'nurse', permissions: ['ward.view', 'chart.read', 'chart.vitals'] as Permission[] }
    expect(navOf(nurse).map((n) => n.label)).toEqual(['Beds', 'Ward display', 'Notifications'])
    expect(homeOf(nurse)).toBe('/beds')
    expect(mayOpen('/beds', nurse)).toBe(true)
    for (const p of ['/reception', '/pharmacy', '/billing', '/billing/claims', '/lab', '/admin', '/reports', '/patients']) {
      expect(mayOpen(p, nurse), p).toBe(false)
    }
    // Pharmacy opens with either of its work grants; Reports gets a link when there is no Admin tab.
    expect(labels('staff', ['pharmacy.stock'])).toContain('Pharmacy')
    expect(labels('staff', ['pharmacy.dispense'])).toContain('Pharmacy')
    expect(labels('staff', ['pharmacy.read'])).not.toContain('Pharmacy')
    expect(labels('staff', ['reports.read'])).toContain('Reports')
    expect(labels('admin', ['audit.read', 'reports.read'])).toEqual(['Admin', 'Ward display', 'Notifications'])
    expect(mayOpen('/reports', { role: 'admin', permissions: ['audit.read', 'reports.read'] })).toBe(true)
  })

  it('keeps the kind where the kind is what matters', () => {
    // A staff-kind role granted queue.consult still has no doctor's queue; a doctor without it neither.
    expect(labels('staff', ['queue.consult'])).not.toContain('My queue')
    expect(labels('doctor', [])).not.toContain('My queue')
    expect(labels('admin', [])).toEqual(['Ward display', 'Notifications'])
  })

  it('a session without grants opens no capability screen', () => {
    expect(navOf({ role: 'staff' }).map((n) => n.label)).toEqual(['Ward display', 'Notifications'])
  })
})

describe('roleLabel', () => {
  it('names built-in roles and spells out a custom role’s id', () => {
    expect(roleLabel({ role: 'admin', role_id: 'admin' })).toBe('Administrator')
    expect(roleLabel({ role: 'staff' })).toBe('Staff')
    expect(roleLabel({ role: 'staff', role_id: 'lab-technician' })).toBe('Lab technician')
    expect(roleLabel({ role: 'staff', role_id: 'nurse' })).toBe('Nurse')
  })
})
