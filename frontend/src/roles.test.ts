import { describe, expect, it } from 'vitest'
import type { Role } from './api/types'
import { navOf } from './roles'

describe('navOf', () => {
  it('gives every role the notifications screen, once', () => {
    for (const role of ['admin', 'doctor', 'staff', 'patient'] satisfies Role[]) {
      expect(navOf(role).filter((n) => n.href === '/notifications'), role).toEqual([
        { href: '/notifications', label: 'Notifications' },
      ])
    }
  })
})
