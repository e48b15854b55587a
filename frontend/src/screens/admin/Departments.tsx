// The departments and a form to add one. A department's id is a short slug that names its queue and
// display channels, so it cannot change; the server says when it is malformed (400) or taken (409).
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link } from 'wouter'
import { messageOf } from '../../api/client'
import { useDepartments } from '../../api/departments'
import { $api, keyOf } from '../../api/query'
import { LoadError, SubmitButton } from '../../components/forms'

export function Departments() {
  const client = useQueryClient()
  const departments = useDepartments()
  const add = $api.useMutation('post', '/api/departments')
  const [id, setID] = useState('')
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const items = departments.items ? [...departments.items].sort((a, b) => a.id.localeCompare(b.id)) : undefined
  const loadError = items ? '' : departments.error

  const create = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setDone('')
    try {
      const d = await add.mutateAsync({ body: { id: id.trim(), name: name.trim() } })
      await client.invalidateQueries({ queryKey: keyOf('/api/departments') })
      setID('')
      setName('')
      setDone(`Created ${d.name} (${d.id}).`)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <section className="panel stack" id="adm-departments" aria-labelledby="adm-departments-h">
      <h2 id="adm-departments-h">Departments</h2>
      <LoadError error={loadError} retry={departments.retry} retryText="Try again">
        Could not load the departments
      </LoadError>
      {!items && !loadError && <p className="muted">Loading departments…</p>}
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
          <SubmitButton busy={add.isPending} busyText="Adding…">
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
