// Adds a medication to the catalogue (POST /api/medications): code, name, form, strength, active
// substances (matched against allergies) and the reorder level at which its stock counts as low.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { ErrorText, SubmitButton } from '../../components/forms'

const empty = { code: '', name: '', form: 'tablet', strength: '', substances: '', threshold: '10' }

export function AddMedication() {
  const client = useQueryClient()
  const [f, setF] = useState(empty)
  const [saved, setSaved] = useState('')
  const add = $api.useMutation('post', '/api/medications', {
    onSuccess: (m) => {
      setSaved(`Added ${m.name} ${m.strength} (${m.code}).`)
      setF(empty)
      void client.invalidateQueries({ queryKey: keyOf('/api/medications') })
    },
  })
  const set = (k: keyof typeof empty) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    add.mutate({
      body: {
        code: f.code.trim(),
        name: f.name,
        form: f.form,
        strength: f.strength,
        substances: f.substances
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        low_stock_threshold: Number(f.threshold),
      },
    })
  }
  return (
    <section className="panel" aria-labelledby="add-med-title">
      <h2 id="add-med-title">Add a medication</h2>
      <form className="add-med" onSubmit={submit}>
        <label>
          Code
          <input required value={f.code} onChange={set('code')} placeholder="AMOX500" />
        </label>
        <label>
          Name
          <input required value={f.name} onChange={set('name')} placeholder="Amoxicillin" />
        </label>
        <label>
          Form
          <input required value={f.form} onChange={set('form')} />
        </label>
        <label>
          Strength
          <input required value={f.strength} onChange={set('strength')} placeholder="500 mg" />
        </label>
        <label className="wide">
          Active substances (comma-separated)
          <input value={f.substances} onChange={set('substances')} placeholder="amoxicillin, penicillin" />
        </label>
        <label>
          Reorder at (units)
          <input type="number" min={0} required value={f.threshold} onChange={set('threshold')} />
        </label>
        <div className="row wide">
          <SubmitButton busy={add.isPending} busyText="Adding…">
            Add medication
          </SubmitButton>
          <ErrorText error={add.error ? messageOf(add.error) : ''} />
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
    </section>
  )
}
