// The wards and their beds: every ward with its department and occupancy (GET /api/wards, kept fresh by
// the `beds` channel), a form to add a ward (POST /api/wards), and for the chosen ward its beds
// (GET /api/wards/{id}/beds) and a form to add beds by label (POST /api/wards/{id}/beds). The server's
// 400 and 409 (an id or a label taken) are shown in its words.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { useDepartments } from '../../api/departments'
import { $api, keyOf } from '../../api/query'
import type { Ward } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { useLiveQueries } from '../../live/useLiveQuery'
import { bedLabels } from './bedLabels'

export function Wards() {
  const wards = $api.useQuery('get', '/api/wards')
  const departments = useDepartments()
  const [chosen, setChosen] = useState('')
  useLiveQueries('beds', ['/api/wards', '/api/wards/{id}/beds'])
  const deptName = (id: string) => departments.items?.find((d) => d.id === id)?.name ?? id
  const items = wards.data?.items
  const ward = items?.find((w) => w.id === chosen)

  return (
    <div className="adm-doctors">
      <section className="panel stack" aria-labelledby="adm-wards-h">
        <h2 id="adm-wards-h">Wards</h2>
        <LoadError error={wards.error ? messageOf(wards.error) : ''} retry={() => void wards.refetch()} retryText="Try again">
          Could not load the wards
        </LoadError>
        {!items && !wards.error && <p className="muted">Loading wards…</p>}
        {items && items.length === 0 && <p className="muted">No wards yet: add the first below.</p>}
        {items && items.length > 0 && (
          <ul className="adm-pick" aria-label="Wards">
            {items.map((w) => (
              <li key={w.id}>
                <button
                  type="button"
                  className={`adm-pick-item${w.id === chosen ? ' selected' : ''}`}
                  aria-pressed={w.id === chosen}
                  onClick={() => setChosen(w.id)}
                >
                  <span className="adm-card-title">{w.name}</span>
                  <span className="muted">{deptName(w.department)}</span>
                  <span>
                    {w.total === 0 ? 'No beds yet' : `${w.total} ${w.total === 1 ? 'bed' : 'beds'}, ${w.free} free`}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <NewWard onCreated={setChosen} />
      </section>
      <section className="panel stack" aria-label={ward ? `Beds of ${ward.name}` : 'Beds'}>
        {ward ? <Beds key={ward.id} ward={ward} /> : <p className="muted">Choose a ward to see and add its beds.</p>}
      </section>
    </div>
  )
}

function NewWard({ onCreated }: { onCreated: (id: string) => void }) {
  const client = useQueryClient()
  const departments = useDepartments()
  const create = $api.useMutation('post', '/api/wards')
  const [id, setID] = useState('')
  const [name, setName] = useState('')
  const [department, setDepartment] = useState('')
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    try {
      const w = await create.mutateAsync({ body: { id: id.trim(), name: name.trim(), department } })
      await client.invalidateQueries({ queryKey: keyOf('/api/wards') })
      setID('')
      setName('')
      onCreated(w.id)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-ward-form-h" noValidate>
      <h3 id="adm-ward-form-h">Add a ward</h3>
      <div className="adm-fields-3">
        <label>
          Id
          <input value={id} onChange={(e) => setID(e.target.value)} required autoComplete="off" spellCheck={false} placeholder="icu-2" aria-describedby="adm-ward-id-hint" />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" placeholder="Intensive care 2" />
        </label>
        <label>
          Department
          <select value={department} onChange={(e) => setDepartment(e.target.value)} required>
            <option value="">Choose…</option>
            {(departments.items ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p id="adm-ward-id-hint" className="muted adm-hint">
        The id is lowercase letters, digits and “-” (up to 40); it names the ward’s live bed board and cannot be changed.
      </p>
      <div className="row">
        <SubmitButton busy={create.isPending} busyText="Adding…">
          Add ward
        </SubmitButton>
        <ErrorText error={error} />
      </div>
    </form>
  )
}

function Beds({ ward }: { ward: Ward }) {
  const client = useQueryClient()
  const board = $api.useQuery('get', '/api/wards/{id}/beds', { params: { path: { id: ward.id } } })
  const add = $api.useMutation('post', '/api/wards/{id}/beds')
  const [labels, setLabels] = useState('')
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const beds = board.data?.beds

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setDone('')
    const list = bedLabels(labels)
    if (list.length === 0) {
      setError('Type at least one bed label.')
      return
    }
    try {
      const res = await add.mutateAsync({ params: { path: { id: ward.id } }, body: { labels: list } })
      await Promise.all([
        client.invalidateQueries({ queryKey: keyOf('/api/wards/{id}/beds') }),
        client.invalidateQueries({ queryKey: keyOf('/api/wards') }),
      ])
      setLabels('')
      setDone(`Added ${res.items.length} ${res.items.length === 1 ? 'bed' : 'beds'}: ${res.items.map((b) => b.label).join(', ')}.`)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <div className="stack">
      <h2>{ward.name}</h2>
      <LoadError error={board.error ? messageOf(board.error) : ''} retry={() => void board.refetch()} retryText="Try again">
        Could not load the beds
      </LoadError>
      {beds && beds.length === 0 && <p className="muted">No beds in this ward yet: add them below.</p>}
      {beds && beds.length > 0 && (
        <ul className="adm-beds" aria-label={`Beds of ${ward.name}`} data-testid="ward-beds">
          {beds.map((b) => (
            <li key={b.id} className={`adm-bed adm-bed-${b.state}`}>
              <span className="adm-card-title">{b.label}</span>
              <span>{b.state === 'free' ? 'Free' : 'Occupied'}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="adm-beds-form-h" noValidate>
        <h3 id="adm-beds-form-h">Add beds</h3>
        <label>
          Bed labels
          <input value={labels} onChange={(e) => setLabels(e.target.value)} autoComplete="off" spellCheck={false} placeholder="A1-A6, B1" aria-describedby="adm-beds-hint" />
        </label>
        <p id="adm-beds-hint" className="muted adm-hint">
          Separate labels with commas; a run such as A1-A6 adds A1 to A6. Each label is up to 20 characters and new in this ward.
        </p>
        <div className="row">
          <SubmitButton busy={add.isPending} busyText="Adding…">
            Add beds
          </SubmitButton>
          {done && (
            <span className="ok-text" role="status">
              {done}
            </span>
          )}
          <ErrorText error={error} />
        </div>
      </form>
    </div>
  )
}
