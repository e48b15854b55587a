// The roles in people's words, and the ones an admin gives to accounts: the built-in roles (by their
// kind) and, for an admin granted roles.manage, the custom ones (GET /api/roles).
import { $api } from '../../api/query'
import type { Role } from '../../api/types'
import { can, roleIdWords } from '../../roles'

export const roleWords: Record<Role, string> = {
  admin: 'Admin',
  doctor: 'Doctor',
  staff: 'Staff',
  patient: 'Patient',
}

/** The roles of the hospital's own people (a patient account never takes one, nor they its). */
export const staffRoles: Exclude<Role, 'patient'>[] = ['doctor', 'staff', 'admin']

/** A role an account can be given: its id (a built-in role's is its kind), its name and its kind. */
export interface RoleChoice {
  id: string
  name: string
  kind: Role
}

const builtIn = (k: Role): RoleChoice => ({ id: k, name: roleWords[k], kind: k })

/**
 * The roles to offer: the built-in ones, then the custom ones when the admin may read them
 * (roles.manage); nameOf names any role id, one not in the list spelt out from the id.
 */
export function useRoleChoices(): { choices: RoleChoice[]; nameOf: (id: string, kind: Role) => string; error: unknown } {
  const manages = can('roles.manage')
  const roles = $api.useQuery('get', '/api/roles', undefined, { enabled: manages, staleTime: 60_000 })
  const choices: RoleChoice[] = [...staffRoles.map(builtIn), builtIn('patient')]
  for (const r of roles.data?.items ?? []) {
    if (!r.built_in) choices.push({ id: r.id, name: r.name, kind: r.kind })
  }
  const nameOf = (id: string, kind: Role) => choices.find((c) => c.id === (id || kind))?.name ?? roleIdWords(id || kind)
  return { choices, nameOf, error: roles.error }
}

/** The choices for an account of kind: a patient account keeps a patient-kind role, the others a staff-side one. */
export function choicesFor(choices: RoleChoice[], kind: Role): RoleChoice[] {
  return choices.filter((c) => (c.kind === 'patient') === (kind === 'patient'))
}
