// How notifications read on the screen: each kind in human words, each email/SMS delivery's state as a
// short chip ("Email sent", "SMS failed"), and a notification's time as "5 min ago" or "Fri 28 Nov 14:02".
import { hhmm } from '../api/client'
import { dayOf } from '../api/time'
import type { DeliveryChannel, DeliveryState, DeliveryStatus, NotificationKind } from '../api/types'
import type { Wording } from '../components/labels'
import { shortDay } from '../components/labels'

const kinds: Record<NotificationKind, string> = {
  message: 'Message',
  'appointment.booked': 'Appointment booked',
  'appointment.rescheduled': 'Appointment moved',
  'appointment.cancelled': 'Appointment cancelled',
  'appointment.reminder': 'Appointment reminder',
  'prescription.refill_due': 'Refill due',
  'prescription.follow_up': 'Follow-up due',
  'prescription.external': 'Pharmacy update',
  broadcast: 'Broadcast',
  'alert.page': 'Emergency page',
  'access.break_glass': 'Record opened (break the glass)',
  'account.registration_attempt': 'Someone tried to register your email',
  'account.confirm': 'Confirm your email address',
  'account.password_link': 'Password link',
}

/** A notification's (or a delivery's) kind in words; a kind this build does not know is "Notification". */
export function kindLabel(kind: string): string {
  return (kinds as Record<string, string>)[kind] ?? 'Notification'
}

const channels: Record<DeliveryChannel, string> = { email: 'Email', sms: 'SMS' }

/** A channel's name ("Email", "SMS"). */
export function channelLabel(channel: string): string {
  return (channels as Record<string, string>)[channel] ?? channel
}

/** What a delivery's status says to the recipient, and its tag's tone (the admin sees the status itself). */
export const deliveryWords: Record<DeliveryStatus, Wording> = {
  queued: { text: 'waiting', tone: '' },
  retrying: { text: 'retrying', tone: 'tag-warn' },
  sent: { text: 'sent', tone: 'tag-ok' },
  dead: { text: 'failed', tone: 'tag-urgent' },
  skipped: { text: 'not sent', tone: '' },
}

/** A delivery chip's text: "Email sent", "SMS waiting". */
export function deliveryText(d: Pick<DeliveryState, 'channel' | 'status'>): string {
  return `${channelLabel(d.channel)} ${deliveryWords[d.status]?.text ?? d.status}`
}

/** A time as "just now", "5 min ago", "14:02" (earlier today) or "Fri 28 Nov 14:02". */
export function whenShort(iso: string, now = Date.now()): string {
  const d = new Date(iso)
  const ago = now - d.getTime()
  if (ago < 60_000) return 'just now'
  if (ago < 3_600_000) return `${Math.floor(ago / 60_000)} min ago`
  if (dayOf(d) === dayOf(now)) return hhmm(d)
  return `${shortDay(d)} ${hhmm(d)}`
}
