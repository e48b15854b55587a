// A lab order's files over the wire: uploading one (multipart, the field "file"; PDF, PNG or JPEG up to
// 10 MiB, checked by the server from the content) and opening one (GET /api/lab-files/{id} with the
// access token, saved from a blob under its stored name).
import { authFetch } from '../../api/client'
import { errorFrom } from '../../api/session'
import type { LabFile } from './model'

/** The largest file the server takes. */
export const maxFileBytes = 10 * 1024 * 1024

export async function uploadLabFile(orderId: string, file: File): Promise<LabFile> {
  const form = new FormData()
  form.append('file', file, file.name)
  const url = `/api/lab-orders/${encodeURIComponent(orderId)}/files`
  const res = await authFetch(new Request(url, { method: 'POST', body: form }))
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw errorFrom(res.status, body)
  return body as LabFile
}

/** Downloads a lab file and hands it to the browser to save or show. */
export async function openLabFile(file: LabFile): Promise<void> {
  const res = await authFetch(new Request(`/api/lab-files/${encodeURIComponent(file.id)}`))
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null))
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = file.name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** "1.2 MB", "340 kB". */
export function sizeWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
  return `${Math.max(1, Math.round(bytes / 1024))} kB`
}
