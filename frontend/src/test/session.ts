// A signed-in user for tests (never used by the app).
import { vi } from 'vitest'
import { session } from '../api/client'
import type { SessionState } from '../api/session'
import type { User } from '../api/types'

/** Signs a user in for the test (the session's getter answers it). */
export function signIn(user: Partial<User> & Pick<User, 'id' | 'role'>): void {
  const s = {
    token: 'token',
    refreshToken: 'refresh',
    user: { name: 'Test User', email: 'test@hms.test', active: true, ...user },
  } as unknown as SessionState
  vi.spyOn(session, 'current', 'get').mockReturnValue(s)
}
