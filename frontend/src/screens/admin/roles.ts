// The roles in people's words, and the ones an admin gives to staff accounts.
import type { Role } from '../../api/types'

export const roleWords: Record<Role, string> = {
  admin: 'Admin',
  doctor: 'Doctor',
  staff: 'Staff',
  patient: 'Patient',
}

/** The roles of the hospital's own people (a patient account never takes one, nor they its). */
export const staffRoles: Exclude<Role, 'patient'>[] = ['doctor', 'staff', 'admin']
