// The typed REST client: openapi-fetch over the generated schema, so a path, parameter or body that
// drifts from the server's OpenAPI document fails `tsc`. Requests carry the access token; a 401 gets one
// refresh and one retry. `must` turns an error answer into an ApiError with the server's message.
import createClient from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError, Session, errorFrom } from './session'
import { dayOf, formatTime, nowMs } from './time'

export { ApiError } from './session'

export const session = new Session()

/** fetch with the access token, refreshing it once on a 401. */
export async function authFetch(req: Request): Promise<Response> {
  const retry = req.clone()
  const send = (r: Request, token?: string) => {
    if (token) r.headers.set('Authorization', `Bearer ${token}`)
    return fetch(r).catch((e: unknown) => {
      throw errorFrom(0, null, e)
    })
  }
  const res = await send(req, session.current?.token)
  if (res.status !== 401 || !session.current) return res
  const fresh = await session.refresh()
  if (!fresh) return res
  return send(retry, fresh.token)
}

export const api = createClient<paths>({ fetch: authFetch })

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (error !== undefined || !response.ok) throw errorFrom(response.status, error)
  return data as T
}

/** A message for the person at the screen, from anything thrown. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}

/** Today in the hospital's calendar as YYYY-MM-DD (or the hospital's day of d), in the hospital's zone. */
export function today(d: Date | number = nowMs()): string {
  return dayOf(d)
}

/** hh:mm of a moment, in the hospital's zone. */
export function hhmm(iso: string | Date): string {
  return formatTime(iso)
}
