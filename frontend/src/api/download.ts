// Saving what the server sends as a file on the person's computer: the request goes with the access
// token (authFetch), so the file is never behind a bare link; the answer is saved under a given name.
import { authFetch } from './client'
import { errorFrom } from './session'

/** GETs path with the access token and returns its body, or throws an ApiError with the server's words. */
export async function fetchBlob(path: string): Promise<Blob> {
  const res = await authFetch(new Request(new URL(path, window.location.origin)))
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null)
    throw errorFrom(res.status, body)
  }
  return res.blob()
}

/** Offers blob to the browser as a download named name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // The click has handed the file over; the address is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
