// Money on the screens: amounts travel as integer minor units (cents, pence, fils) of the hospital's
// currency (ISO 4217); formatMoney writes them in the hospital's locale with the currency's own number
// of decimals (JPY 0, USD 2, KWD 3), and parseMoney reads what someone typed back into minor units
// exactly, from the text, never through a float (0.1 + 0.2 is not 0.3 in floating point).
import { hospitalLocale } from './time'

/** How many decimals the currency has (JPY 0, USD 2, KWD 3), as Intl knows it. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** "123.45" for 12345 minor units of a currency with 2 decimals; exact for any safe integer. */
function decimalText(minor: number, digits: number): string {
  const negative = minor < 0
  const s = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0')
  const whole = s.slice(0, s.length - digits)
  const text = digits > 0 ? `${whole}.${s.slice(s.length - digits)}` : whole
  return negative ? `-${text}` : text
}

const formats = new Map<string, Intl.NumberFormat>()

/** "$1,234.50", "¥1,235", "KWD 1.250": minor units of currency written in the hospital's locale. */
export function formatMoney(minor: number, currency: string): string {
  const locale = hospitalLocale()
  const key = `${locale}|${currency}`
  let f = formats.get(key)
  if (!f) {
    const digits = minorDigits(currency)
    try {
      f = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    } catch {
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })
    }
    formats.set(key, f)
  }
  // A decimal string is formatted exactly (Intl.NumberFormat v3), with no float in between.
  return f.format(decimalText(minor, minorDigits(currency)) as unknown as number)
}

/** What parseMoney made of a typed amount: the minor units, or why it is not an amount. */
export type Parsed = { ok: true; minor: number } | { ok: false; error: string }

/** The locale's decimal separator ("." or ","). */
function decimalSeparator(): string {
  return new Intl.NumberFormat(hospitalLocale()).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.'
}

/**
 * Reads a typed amount ("12.50", "12", "1 250,5" in a comma locale) as minor units of currency,
 * exactly: the digits are put together as text. Refuses a negative or empty amount, anything but
 * digits and one decimal separator, and more decimals than the currency has ("USD has 2 decimals").
 */
export function parseMoney(text: string, currency: string): Parsed {
  const digits = minorDigits(currency)
  const sep = decimalSeparator()
  // Spaces (also the narrow no-break ones some locales group with) are grouping, never meaning.
  let t = text.trim().replace(/[\s\u00a0\u202f]/g, '')
  if (t === '') return { ok: false, error: 'Enter an amount.' }
  if (sep === ',') t = t.replace(/\./g, '').replace(',', '.')
  else t = t.replace(/,(?=\d{3}(\D|$))/g, '')
  if (t.startsWith('-')) return { ok: false, error: 'The amount cannot be negative.' }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t)
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    return { ok: false, error: `“${text.trim()}” is not an amount; write it like ${formatExample(digits, sep)}.` }
  }
  const whole = m[1] ?? ''
  const frac = m[2] ?? ''
  if (frac.length > digits) {
    return {
      ok: false,
      error:
        digits === 0
          ? `${currency} has no decimals; enter a whole amount.`
          : `${currency} has ${digits} decimal${digits === 1 ? '' : 's'}; “${text.trim()}” has ${frac.length}.`,
    }
  }
  const minor = Number((whole || '0') + frac.padEnd(digits, '0'))
  if (!Number.isSafeInteger(minor)) return { ok: false, error: 'That amount is too large.' }
  return { ok: true, minor }
}

/** "12.50" (or "12,50"): how an amount is typed, with the currency's decimals. */
function formatExample(digits: number, sep: string): string {
  return digits === 0 ? '1250' : `12${sep}${'50'.padEnd(digits, '0').slice(0, digits)}`
}

/** An amount in minor units as typed in a form ("12.50"), to fill an amount field. */
export function amountText(minor: number, currency: string): string {
  const t = decimalText(minor, minorDigits(currency))
  return decimalSeparator() === ',' ? t.replace('.', ',') : t
}

/** Reads a typed percentage ("20", "7.5") as basis points (2000, 750), exactly; at most 2 decimals. */
export function parsePercent(text: string): Parsed {
  const t = text.trim().replace(/%$/, '').trim().replace(',', '.')
  if (t === '') return { ok: true, minor: 0 }
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(t)
  if (!m) {
    return /^\d+\.\d{3,}$/.test(t)
      ? { ok: false, error: 'A tax rate has at most 2 decimals (e.g. 7.25).' }
      : { ok: false, error: `“${text.trim()}” is not a percentage; write it like 20 or 7.5.` }
  }
  const bp = Number((m[1] ?? '0') + (m[2] ?? '').padEnd(2, '0'))
  if (bp > 10000) return { ok: false, error: 'A tax rate is at most 100%.' }
  return { ok: true, minor: bp }
}

/** Basis points as a percentage: 2000 → "20%", 750 → "7.5%". */
export function formatPercent(bp: number): string {
  const whole = Math.trunc(bp / 100)
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '')
  return `${whole}${frac ? `.${frac}` : ''}%`
}

/** Basis points as typed in a form: 2000 → "20", 750 → "7.5". */
export function percentText(bp: number): string {
  return formatPercent(bp).slice(0, -1)
}
