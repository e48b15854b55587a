// Money written in the hospital's locale with the currency's own decimals, and typed amounts read back
// into minor units exactly (no float), refusing more decimals than the currency has.
import { afterEach, describe, expect, it } from 'vitest'
import { amountText, formatMoney, formatPercent, minorDigits, parseMoney, parsePercent } from './money'
import { setHospital } from './time'

afterEach(() => setHospital({ time_zone: 'UTC', locale: 'en-GB' }))

/** Intl writes some spaces as no-break spaces; the tests compare with plain ones. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('formatMoney', () => {
  it('knows each currency’s decimals', () => {
    expect([minorDigits('JPY'), minorDigits('USD'), minorDigits('KWD')]).toEqual([0, 2, 3])
  })

  it('writes minor units with the currency’s decimals in the hospital’s locale', () => {
    setHospital({ time_zone: 'UTC', locale: 'en-US' })
    expect(formatMoney(123450, 'USD')).toBe('$1,234.50')
    expect(formatMoney(5, 'USD')).toBe('$0.05')
    expect(formatMoney(1235, 'JPY')).toBe('¥1,235')
    expect(plain(formatMoney(1250, 'KWD'))).toBe('KWD 1.250')
    expect(formatMoney(-1999, 'USD')).toBe('-$19.99')
    setHospital({ time_zone: 'Europe/Berlin', locale: 'de-DE' })
    expect(plain(formatMoney(123450, 'EUR'))).toBe('1.234,50 €')
  })

  it('is exact beyond what a float holds in cents', () => {
    setHospital({ time_zone: 'UTC', locale: 'en-US' })
    // 2^53 − 1 cents: dividing by 100 as a float would round the last digit.
    expect(formatMoney(9007199254740991, 'USD')).toBe('$90,071,992,547,409.91')
  })
})

describe('parseMoney', () => {
  it('reads a typed amount into minor units exactly', () => {
    expect(parseMoney('12.50', 'USD')).toEqual({ ok: true, minor: 1250 })
    expect(parseMoney('12', 'USD')).toEqual({ ok: true, minor: 1200 })
    expect(parseMoney(' 0.1 ', 'USD')).toEqual({ ok: true, minor: 10 })
    expect(parseMoney('.5', 'USD')).toEqual({ ok: true, minor: 50 })
    expect(parseMoney('1,234.56', 'USD')).toEqual({ ok: true, minor: 123456 })
    // 1.005 × 100 is 100.49999… in floating point; read as text it is 1005 fils exactly.
    expect(parseMoney('1.005', 'KWD')).toEqual({ ok: true, minor: 1005 })
    expect(parseMoney('4.35', 'USD')).toEqual({ ok: true, minor: 435 })
    expect(parseMoney('1250', 'JPY')).toEqual({ ok: true, minor: 1250 })
    // The largest safe amount: through a float (× 1000, rounded) it would come out as …990.
    expect(parseMoney('9007199254740.991', 'KWD')).toEqual({ ok: true, minor: 9007199254740991 })
  })

  it('refuses more decimals than the currency has, saying so', () => {
    expect(parseMoney('12.505', 'USD')).toEqual({ ok: false, error: 'USD has 2 decimals; “12.505” has 3.' })
    expect(parseMoney('12.5', 'JPY')).toEqual({ ok: false, error: 'JPY has no decimals; enter a whole amount.' })
  })

  it('refuses what is not an amount', () => {
    expect(parseMoney('', 'USD')).toEqual({ ok: false, error: 'Enter an amount.' })
    expect(parseMoney('-5', 'USD')).toEqual({ ok: false, error: 'The amount cannot be negative.' })
    expect(parseMoney('12,50', 'USD')).toEqual({ ok: false, error: '“12,50” is not an amount; write it like 12.50.' })
    expect(parseMoney('1e3', 'USD').ok).toBe(false)
    expect(parseMoney('99999999999999999', 'USD')).toEqual({ ok: false, error: 'That amount is too large.' })
  })

  it('reads the locale’s decimal comma', () => {
    setHospital({ time_zone: 'Europe/Berlin', locale: 'de-DE' })
    expect(parseMoney('12,50', 'EUR')).toEqual({ ok: true, minor: 1250 })
    expect(parseMoney('1.234,5', 'EUR')).toEqual({ ok: true, minor: 123450 })
    expect(amountText(1250, 'EUR')).toBe('12,50')
  })

  it('writes minor units back as typed', () => {
    expect(amountText(1250, 'USD')).toBe('12.50')
    expect(amountText(7, 'KWD')).toBe('0.007')
    expect(amountText(1250, 'JPY')).toBe('1250')
  })
})

describe('percentages', () => {
  it('reads a percentage as basis points exactly', () => {
    expect(parsePercent('20')).toEqual({ ok: true, minor: 2000 })
    expect(parsePercent('7.5')).toEqual({ ok: true, minor: 750 })
    expect(parsePercent('8.25 %')).toEqual({ ok: true, minor: 825 })
    expect(parsePercent('')).toEqual({ ok: true, minor: 0 })
    expect(parsePercent('7.125')).toEqual({ ok: false, error: 'A tax rate has at most 2 decimals (e.g. 7.25).' })
    expect(parsePercent('120')).toEqual({ ok: false, error: 'A tax rate is at most 100%.' })
    expect(parsePercent('abc').ok).toBe(false)
  })

  it('writes basis points as a percentage', () => {
    expect([formatPercent(2000), formatPercent(750), formatPercent(825), formatPercent(0)]).toEqual(['20%', '7.5%', '8.25%', '0%'])
  })
})
