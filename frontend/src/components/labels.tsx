// Labels shared by the screens: coloured tags (an appointment's status in each screen's own words, a
// triage level's colour) and a short day. Each screen keeps its wording; the shapes and rules are here.
import type { ReactNode } from 'react'
import type { AppointmentStatus } from '../api/types'
import { formatDate } from '../api/time'

/** A tag's words and tone (a class of styles.css, e.g. tag-ok, or of the screen's CSS; '' for plain). */
export interface Wording {
  text: string
  tone: string
}

/** What each status is called on a screen, and its tag's tone. */
export type StatusWords = Record<AppointmentStatus, Wording>

/** A coloured tag: .tag and its tone. */
export function Tag({ tone, testId, children }: { tone: string; testId?: string; children: ReactNode }) {
  return (
    <span className={tone ? `tag ${tone}` : 'tag'} data-testid={testId}>
      {children}
    </span>
  )
}

/** An appointment's status as a tag, in the screen's words. */
export function StatusTag({ status, words }: { status: AppointmentStatus; words: StatusWords }) {
  const w = words[status]
  return <Tag tone={w.tone}>{w.text}</Tag>
}

/** The tone of a triage level (ESI): 1–2 urgent (red), 3 amber, 4–5 plain. */
export function triageTone(level: number): string {
  if (level <= 2) return 'tag-urgent'
  if (level === 3) return 'tag-warn'
  return ''
}

/** A day as "Fri 28 Nov" in the hospital's zone; with the year when it is not this year, unless withYear is false. */
export function shortDay(d: Date, withYear = true): string {
  return formatDate(d, withYear ? 'auto' : false)
}
