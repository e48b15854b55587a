// A day and a time in the hospital's zone as the moment they name, whatever this computer's zone
// (the suite runs in New York), across a clock change.
import { afterEach, describe, expect, it } from 'vitest'
import { setHospital } from '../../api/time'
import { hospitalMoment, nextDay } from './hospitalTime'

afterEach(() => setHospital({ time_zone: 'UTC', locale: 'en-GB' }))

describe('hospitalMoment', () => {
  it('reads the wall clock of the hospital’s zone', () => {
    setHospital({ time_zone: 'UTC', locale: 'en-GB' })
    expect(hospitalMoment('2026-12-08', '00:00')).toBe('2026-12-08T00:00:00.000Z')
    setHospital({ time_zone: 'Europe/Berlin', locale: 'de-DE' })
    expect(hospitalMoment('2026-12-08', '09:30')).toBe('2026-12-08T08:30:00.000Z')
    expect(hospitalMoment('2026-07-08', '09:30')).toBe('2026-07-08T07:30:00.000Z')
    setHospital({ time_zone: 'Pacific/Auckland', locale: 'en-NZ' })
    expect(hospitalMoment('2026-12-08', '00:00')).toBe('2026-12-07T11:00:00.000Z')
  })

  it('keeps the wall time on the day the clocks change', () => {
    setHospital({ time_zone: 'Europe/London', locale: 'en-GB' })
    // 29 March 2026: the clocks go forward at 01:00 GMT.
    expect(hospitalMoment('2026-03-29', '00:00')).toBe('2026-03-29T00:00:00.000Z')
    expect(hospitalMoment('2026-03-29', '09:00')).toBe('2026-03-29T08:00:00.000Z')
    expect(nextDay('2026-03-29')).toBe('2026-03-30')
    expect(nextDay('2026-12-31')).toBe('2027-01-01')
  })
})
