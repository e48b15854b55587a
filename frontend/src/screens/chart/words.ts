// Words for who wrote something in the chart: a role as a person reads it ("a doctor", "the patient").
import type { Role } from '../../api/types'

export const roleWords: Record<Role, string> = {
  admin: 'an administrator',
  doctor: 'a doctor',
  staff: 'staff',
  patient: 'the patient',
}

/** "you" when the author is the person at the screen, else their role in words. */
export function authorWords(authorId: string, role: Role, me: string): string {
  return authorId === me ? 'you' : roleWords[role]
}
