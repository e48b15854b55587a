// The lab desk's wording: a result's flag and reference range, an order's status, a file's size.
import type { LabResult } from '../../api/types'

/** A reference range in words: "3.5–5.1", "up to 5", "from 3.5", or its text ("negative"). */
export function rangeWords(r: LabResult['range']): string {
  if (r.text) return r.text
  if (r.low !== undefined && r.high !== undefined) return `${r.low}–${r.high}`
  if (r.high !== undefined) return `up to ${r.high}`
  if (r.low !== undefined) return `from ${r.low}`
  return ''
}

type Flag = NonNullable<LabResult['flag']>

/** A flag as the lab says it, and its tag's tone. */
export const flagWords: Record<Flag, { text: string; tone: string }> = {
  LL: { text: 'Critical low', tone: 'tag-urgent' },
  L: { text: 'Low', tone: 'tag-warn' },
  N: { text: 'Normal', tone: 'tag-ok' },
  H: { text: 'High', tone: 'tag-warn' },
  HH: { text: 'Critical high', tone: 'tag-urgent' },
}

/** An order's status on the desk. */
export const statusWords: Record<'ordered' | 'resulted' | 'released' | 'cancelled', { text: string; tone: string }> = {
  ordered: { text: 'Awaiting results', tone: 'tag-warn' },
  resulted: { text: 'Resulted, not released', tone: '' },
  released: { text: 'Released to the patient', tone: 'tag-ok' },
  cancelled: { text: 'Cancelled', tone: '' },
}

/** "240 KB", "1.4 MB". */
export function sizeWords(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** The largest file the server takes (lab.MaxFileBytes). */
export const maxFileBytes = 10 * 1024 * 1024
