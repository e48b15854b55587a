import { afterEach, describe, expect, it } from 'vitest'
import { dayOf, formatDate, formatDateTime, formatTime, setHospital, zoneName } from './time'

// The tests run with TZ=America/New_York (vite.config.ts), so anything computed in the browser's zone
// instead of the hospital's shows up as a wrong hour or day.
describe('the hospital time', () => {
  afterEach(() => setHospital({ time_zone: 'UTC', locale: 'en-GB' }))

  it('runs in a zone other than the hospital’s', () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('America/New_York')
  })

  it('writes times and days in the hospital’s zone, not the browser’s', () => {
    setHospital({ time_zone: 'Europe/London', locale: 'en-GB' })
    // 11:15 in London is 06:15 in New York.
    expect(formatTime('2026-12-07T11:15:00Z')).toBe('11:15')
    expect(formatDateTime('2026-12-07T11:15:00Z')).toBe('Mon 7 Dec 2026, 11:15')
    // 02:00 UTC on 8 December is still the 7th in New York, but the 8th in London.
    expect(dayOf('2026-12-08T02:00:00Z')).toBe('2026-12-08')
    expect(zoneName('2026-12-07T11:15:00Z')).toBe('GMT')
  })

  it('crosses the date line with the hospital', () => {
    setHospital({ time_zone: 'Pacific/Auckland', locale: 'en-GB' })
    expect(dayOf('2026-12-06T23:30:00Z')).toBe('2026-12-07')
    expect(formatTime('2026-12-06T23:30:00Z')).toBe('12:30')
  })

  it('writes a YYYY-MM-DD day as that day in any zone', () => {
    setHospital({ time_zone: 'Pacific/Kiritimati', locale: 'en-GB' })
    expect(formatDate('2026-12-07')).toBe('Mon 7 Dec 2026')
    setHospital({ time_zone: 'Pacific/Pago_Pago', locale: 'en-GB' })
    expect(formatDate('2026-12-07')).toBe('Mon 7 Dec 2026')
  })

  it('follows the hospital’s locale', () => {
    setHospital({ time_zone: 'Europe/Paris', locale: 'fr-FR' })
    expect(formatTime('2026-12-07T11:15:00Z')).toBe('12:15')
    expect(formatDate('2026-12-07')).toBe('lun. 7 déc. 2026')
  })
})
