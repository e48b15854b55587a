// REST test doubles shared by the tests (never used by the app): JSON answers in the server's shapes and
// a fake server of canned answers behind fetch (openapi-fetch calls fetch with a Request object).
import { vi } from 'vitest'

/** A JSON response, as the server sends it. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** A request's body: JSON parsed, anything else (a multipart upload) as its text. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** One request the screen made. */
export interface Call {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  body: unknown
}

/** What a route answers: a status (200 when left out) and a JSON body. */
export interface Answer {
  status?: number
  body: unknown
}

/** A route's answer, fixed or made from the request (it may wait, to show a busy state). */
export type Route = Answer | ((c: Call) => Answer | Promise<Answer>)

/** An error answer in the server's one shape. */
export function apiError(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message }, request_id: 'req-1' } }
}

/**
 * Answers fetch from a table keyed "METHOD /path" (no query); anything else is a 404. Returns the list
 * of calls, newest last. The table is read at each call, so a test may change a route while it runs.
 */
export function fakeServer(routes: Record<string, Route>): Call[] {
  const calls: Call[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const req = input as Request
    const url = new URL(req.url)
    const text = await req.text()
    const call: Call = {
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? parseBody(text) : undefined,
    }
    calls.push(call)
    const route = routes[`${req.method} ${url.pathname}`]
    const answer = typeof route === 'function' ? await route(call) : route
    const { status, body } = answer ?? apiError(404, 'not_found', `no route ${req.method} ${url.pathname}`)
    return json(body, status ?? 200)
  })
  return calls
}
