// The departments and a form to add one. A department's id is a short slug that names its queue and
// display channels, so it cannot change; the server says when it is malformed (400) or taken (409).
import { useEffect, useState, type FormEvent } from 'react'
import { Link } from 'wouter'
import { api, messageOf, must } from '../../api/client'
import type { Department } from '../../api/types'
import { LoadError, SubmitButton } from '../../components/forms'

export function Departments() {
  const [items, setItems] = useState<Department[] | null>(null)
  const [loadError, setLoadError] = useState('')
  const [reloads, setReloads] = useState(0)
  const [id, setID] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [done, setDone] = useState('')

  useEffect(() => {
    let gone = false
    must(api.GET('/api/departments'))
      .then((l) => {
        if (gone) return
        setItems(l.items)
        setLoadError('')
      })
      .catch((e: unknown) => !gone && setLoadError(messageOf(e)))
    return () => {
      gone = true
    }
  }, [reloads])

  const create = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    setDone('')
    try {
      const d = await must(api.POST('/api/departments', { body: { id: id.trim(), name: name.trim() } }))
      setItems((prev) => [...(prev ?? []), d].sort((a, b) => a.id.localeCompare(b.id)))
      setID('')
      setName('')
      setDone(`Created ${d.name} (${d.id}).`)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel stack" id="adm-departments" aria-labelledby="adm-departments-h">
      <h2 id="adm-departments-h">Departments</h2>
      <LoadError error={loadError} retry={() => setReloads((n) => n + 1)} retryText="Try again">
        Could not load the departments
      </LoadError>
      {items === null && !loadError && <p className="muted">Loading departments…</p>}
      {items &&
        (items.length === 0 ? (
          <p className="muted">No departments yet: add the first below.</p>
        ) : (
          <table className="table" data-testid="departments-table">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">Display</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>
                    <code>{d.id}</code>
                  </td>
                  <td>{d.name}</td>
                  <td>
                    <Link href={`/display/${d.id}`}>Open board</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}

      <form className="stack adm-form" onSubmit={(e) => void create(e)} aria-labelledby="adm-dept-form-h">
        <h3 id="adm-dept-form-h">Add a department</h3>
        <div className="adm-fields">
          <label>
            Id
            <input
              name="id"
              value={id}
              onChange={(e) => setID(e.target.value)}
              required
              maxLength={40}
              autoComplete="off"
              spellCheck={false}
              placeholder="cardiology"
              aria-describedby="adm-dept-id-hint"
            />
          </label>
          <label>
            Name
            <input
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={100}
              autoComplete="off"
              placeholder="Cardiology"
            />
          </label>
        </div>
        <p id="adm-dept-id-hint" className="muted adm-hint">
          The id is lowercase letters, digits and “-” (up to 40). It names the department’s queue and display and
          cannot be changed later.
        </p>
        <div className="row">
          <SubmitButton busy={busy} busyText="Adding…">
            Add department
          </SubmitButton>
          {done && (
            <span className="ok-text" role="status">
              {done}
            </span>
          )}
        </div>
        {error && (
          <p className="error-text" role="alert" data-testid="department-error">
            {error}
          </p>
        )}
      </form>
    </section>
  )
}
