// An order's files: attach a PDF, PNG or JPEG (POST /api/lab-orders/{id}/files, multipart) and view one
// (GET /api/lab-files/{id}, fetched with the access token and opened from a blob: a plain link would carry
// no token).
import { useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { authFetch, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { errorFrom } from '../../api/session'
import { formatDateTime } from '../../api/time'
import type { LabFile, LabOrder } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { maxFileBytes, sizeWords } from './words'

/** Fetches a file's bytes with the token and opens them in a new tab. */
async function openFile(f: LabFile): Promise<void> {
  const res = await authFetch(new Request(new URL(`/api/lab-files/${f.id}`, window.location.origin)))
  if (!res.ok) throw errorFrom(res.status, await res.json().catch(() => null))
  const url = URL.createObjectURL(await res.blob())
  window.open(url, '_blank', 'noopener')
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export function LabFiles({ order }: { order: LabOrder }) {
  const client = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [picked, setPicked] = useState<File | null>(null)
  const [tooBig, setTooBig] = useState('')
  const [viewError, setViewError] = useState('')
  const open = !['released', 'cancelled'].includes(order.status)
  const upload = $api.useMutation('post', '/api/lab-orders/{id}/files', {
    onSuccess: () => {
      setPicked(null)
      if (input.current) input.current.value = ''
      for (const p of ['/api/lab-orders', '/api/lab-orders/{id}'] as const) void client.invalidateQueries({ queryKey: keyOf(p) })
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!picked) return
    const body = new FormData()
    body.append('file', picked)
    // openapi-fetch sends FormData as it is (multipart with its boundary).
    upload.mutate({ params: { path: { id: order.id } }, body: body as unknown as { file: string } })
  }
  return (
    <div className="stack">
      <h3>Files</h3>
      {order.files.length === 0 && <p className="muted">No files attached.</p>}
      {order.files.length > 0 && (
        <ul className="lab-files">
          {order.files.map((f) => (
            <li key={f.id} className="row">
              <span>
                {f.name} <span className="muted">({sizeWords(f.size)}, {formatDateTime(f.uploaded_at, 'auto')})</span>
              </span>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  setViewError('')
                  openFile(f).catch((e: unknown) => setViewError(`Could not open ${f.name}: ${messageOf(e)}`))
                }}
              >
                View<span className="sr-only"> {f.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={viewError} block />
      {open && (
        <form className="row" onSubmit={submit}>
          <label>
            Attach a file (PDF, PNG or JPEG, up to 10 MB)
            <input
              ref={input}
              type="file"
              accept="application/pdf,image/png,image/jpeg"
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null
                upload.reset()
                setTooBig(f && f.size > maxFileBytes ? `${f.name} is ${sizeWords(f.size)}: the largest file taken is 10 MB.` : '')
                setPicked(f && f.size <= maxFileBytes ? f : null)
              }}
            />
          </label>
          <SubmitButton busy={upload.isPending} busyText="Uploading…">
            Upload
          </SubmitButton>
          <ErrorText error={tooBig || (upload.error ? `Not attached: ${messageOf(upload.error)}` : '')} />
        </form>
      )}
    </div>
  )
}
