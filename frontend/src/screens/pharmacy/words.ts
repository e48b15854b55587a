// The pharmacy desk's wording: a dispense refusal in a sentence saying what to do, and a stock movement's kind.
import { ApiError, messageOf } from '../../api/client'

/** Why a dispense was refused, in the desk's words (the server's own message when it is another refusal). */
export function dispenseError(e: unknown): string {
  const m = messageOf(e)
  if (!(e instanceof ApiError) || e.status !== 409) return m
  if (m.includes('not enough stock')) return 'Not enough stock for this fill. Receive a delivery first, then dispense.'
  if (m.includes('no refills left')) return 'Every fill of this prescription has been dispensed already.'
  if (m.includes('dispensed already') || m.includes('claimed already'))
    return 'This fill was dispensed already (perhaps at another counter).'
  if (m.includes('cancelled')) return 'The doctor cancelled this prescription: do not dispense it.'
  return m
}

/** A stock movement's kind as the desk says it. */
export const movementWords: Record<'receive' | 'adjust' | 'dispense', string> = {
  receive: 'Received',
  adjust: 'Adjusted',
  dispense: 'Dispensed',
}

/** "Fill 1 of 3", or "Only fill" when there are no refills. */
export function fillWords(fill: number, fills: number): string {
  return fills === 1 ? 'Only fill' : `Fill ${fill} of ${fills}`
}
