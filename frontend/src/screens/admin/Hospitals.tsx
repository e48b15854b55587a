// The directory of hospitals and sites (the patients' and the desk's "Nearby hospitals"): upload a CSV
// or GeoJSON file (POST /api/hospitals/import, the file itself as the body); a refused file's bad rows
// are listed in the server's words, one per line, and nothing is stored. Below, the directory by name
// (GET /api/hospitals), each entry removable (DELETE /api/hospitals/{id}).
import { useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { api, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { HospitalEntry, HospitalImport } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { serviceLabels } from '../nearby/place'
import '../nearby/nearby.css'

const pageSize = 20

/** The Content-Type of an upload, by the file's name, else its type; '' when it is neither format. */
export function contentTypeOf(file: File): string {
  const name = file.name.toLowerCase()
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv'
  if (name.endsWith('.geojson') || name.endsWith('.json') || file.type === 'application/geo+json') return 'application/geo+json'
  return ''
}

export function Hospitals() {
  const [page, setPage] = useState(1)
  const list = $api.useQuery('get', '/api/hospitals', { params: { query: { page, limit: pageSize } } })
  const items = list.data?.items
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / pageSize)) : undefined
  return (
    <div className="stack">
      <Upload onImported={() => setPage(1)} />
      <section className="panel stack" aria-labelledby="adm-hosp-list-h">
        <h2 id="adm-hosp-list-h">Directory{list.data ? ` (${list.data.total})` : ''}</h2>
        <LoadError error={list.error ? messageOf(list.error) : ''} retry={() => void list.refetch()}>
          Could not load the directory
        </LoadError>
        {!items && !list.error && <p className="muted">Loading the directory…</p>}
        {items && items.length === 0 && <p className="muted">The directory is empty: import a file above.</p>}
        {items && items.length > 0 && (
          <table className="table" data-testid="hospitals-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Coordinates</th>
                <th scope="col">Phone</th>
                <th scope="col">Services</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <Row key={h.id} h={h} />
              ))}
            </tbody>
          </table>
        )}
        {list.data && list.data.total > pageSize && (
          <Pager label="Directory pages" page={page} pages={pages} hasNext={page < (pages ?? 1)} busy={list.isFetching} go={setPage} />
        )}
      </section>
    </div>
  )
}

function Row({ h }: { h: HospitalEntry }) {
  const client = useQueryClient()
  const remove = $api.useMutation('delete', '/api/hospitals/{id}')
  const [error, setError] = useState('')
  const del = async () => {
    setError('')
    try {
      await remove.mutateAsync({ params: { path: { id: h.id } } })
      await client.invalidateQueries({ queryKey: keyOf('/api/hospitals') })
    } catch (err) {
      setError(messageOf(err))
    }
  }
  return (
    <tr>
      <td>
        {h.name}
        {h.own && <span className="nb-own adm-hosp-own">Our site</span>}
      </td>
      <td>{h.address}</td>
      <td className="adm-hosp-coords">
        {h.lat.toFixed(4)}, {h.lng.toFixed(4)}
      </td>
      <td>{h.phone}</td>
      <td>{h.services.map((s) => serviceLabels[s] ?? s).join(', ')}</td>
      <td>
        <button type="button" className="btn btn-small" onClick={() => void del()} disabled={remove.isPending} aria-label={`Remove ${h.name}`}>
          Remove
        </button>
        <ErrorText error={error} />
      </td>
    </tr>
  )
}

function Upload({ onImported }: { onImported: () => void }) {
  const client = useQueryClient()
  const input = useRef<HTMLInputElement>(null)
  const [replace, setReplace] = useState(false)
  const [busy, setBusy] = useState(false)
  const [problems, setProblems] = useState<{ summary: string; lines: string[] } | null>(null)
  const [done, setDone] = useState<HospitalImport | null>(null)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setProblems(null)
    setDone(null)
    const file = input.current?.files?.[0]
    if (!file) {
      setProblems({ summary: 'Choose a .csv or .geojson file first.', lines: [] })
      return
    }
    const type = contentTypeOf(file)
    if (!type) {
      setProblems({ summary: `“${file.name}” is neither a .csv nor a .geojson file.`, lines: [] })
      return
    }
    setBusy(true)
    try {
      const text = await file.text()
      const { data, error } = await api.POST('/api/hospitals/import', {
        params: { query: replace ? { replace: 'true' } : {} },
        body: text as never,
        bodySerializer: (b: unknown) => b as string,
        headers: { 'Content-Type': type },
      })
      if (error || !data) {
        const [summary = 'The file was refused.', ...lines] = (error?.error.message ?? 'The file was refused.').split('\n')
        setProblems({ summary, lines })
        return
      }
      setDone(data)
      onImported()
      await client.invalidateQueries({ queryKey: keyOf('/api/hospitals') })
    } catch (err) {
      setProblems({ summary: messageOf(err), lines: [] })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel stack" aria-labelledby="adm-hosp-import-h">
      <h2 id="adm-hosp-import-h">Import hospitals</h2>
      <p className="muted adm-hint">
        A CSV file with a header row <code>name,address,lat,lng,phone,services</code> (services separated by “;”, such as{' '}
        <code>emergency;icu;maternity</code>; optional columns <code>id</code>, <code>own</code>, <code>emergency_department</code>,{' '}
        <code>wards</code>), or a GeoJSON FeatureCollection of points with the same properties. Importing the same entries again
        replaces them. If any row is wrong, nothing is imported and the rows are listed.
      </p>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div className="row adm-hosp-upload">
          <label>
            File to import
            <input ref={input} type="file" accept=".csv,.geojson,.json,text/csv,application/geo+json" data-testid="hospitals-file" />
          </label>
          <label className="check adm-hosp-check">
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
            Remove the entries not in this file
          </label>
          <SubmitButton busy={busy} busyText="Importing…">
            Import
          </SubmitButton>
        </div>
      </form>
      {done && (
        <p role="status" data-testid="hospitals-imported">
          Imported {done.rows} {done.rows === 1 ? 'entry' : 'entries'}: {done.created} new, {done.replaced} replaced
          {done.removed > 0 ? `, ${done.removed} removed` : ''}.
        </p>
      )}
      {problems && (
        <div className="error-text" role="alert" data-testid="hospitals-problems">
          <p>{problems.summary}</p>
          {problems.lines.length > 0 && (
            <ul>
              {problems.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  )
}
