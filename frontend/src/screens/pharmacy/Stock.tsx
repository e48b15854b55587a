// The medication catalogue with each medication's stock (GET /api/medications, GET /api/medications/{id}/stock):
// the balance, low stock (at or below the medication's reorder level) highlighted, and for the chosen
// medication its latest movements and a form to receive a delivery or adjust the count.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import { formatDateTime } from '../../api/time'
import type { Medication } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'
import { Pager } from '../../components/Pager'
import { Tag } from '../../components/labels'
import { movementWords } from './words'

const limit = 20

export function StockPanel({ canMove }: { canMove: boolean }) {
  const [q, setQ] = useState('')
  const [page, setPage] = useState(1)
  const [chosen, setChosen] = useState<Medication | null>(null)
  const meds = $api.useQuery('get', '/api/medications', { params: { query: { q: q.trim() || undefined, page, limit } } })
  const items = meds.data?.items ?? []
  return (
    <section className="panel stack" aria-labelledby="stock-title">
      <div className="row">
        <h2 id="stock-title">Stock</h2>
        <span className="spacer" />
        <label className="inline-label">
          Find a medication
          <input
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value)
              setPage(1)
            }}
            placeholder="Name or code"
          />
        </label>
      </div>
      <LoadError error={meds.error ? messageOf(meds.error) : ''} retry={() => void meds.refetch()}>
        Could not load the catalogue
      </LoadError>
      {meds.isPending && <p className="muted">Loading…</p>}
      {meds.data && items.length === 0 && (
        <p className="muted">{q ? 'No medication matches.' : 'The catalogue is empty: add the first medication below.'}</p>
      )}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Medication</th>
              <th scope="col">Code</th>
              <th scope="col">In stock</th>
              <th scope="col">Reorder at</th>
              <th scope="col">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <StockRow key={m.id} med={m} selected={chosen?.id === m.id} choose={() => setChosen(m)} />
            ))}
          </tbody>
        </table>
      )}
      {meds.data && meds.data.total > limit && (
        <Pager
          page={page}
          pages={Math.ceil(meds.data.total / limit)}
          hasNext={page * limit < meds.data.total}
          busy={meds.isFetching}
          go={setPage}
          label="Catalogue pages"
        />
      )}
      {chosen && <Movements med={chosen} canMove={canMove} close={() => setChosen(null)} />}
    </section>
  )
}

function StockRow({ med, selected, choose }: { med: Medication; selected: boolean; choose: () => void }) {
  const stock = $api.useQuery('get', '/api/medications/{id}/stock', { params: { path: { id: med.id } } })
  return (
    <tr className={selected ? 'selected' : undefined} data-testid={`med-${med.code}`}>
      <td>
        {med.name} {med.strength}
        <div className="muted">{med.form}</div>
      </td>
      <td>{med.code}</td>
      <td>
        {stock.data ? (
          <>
            {stock.data.balance}{' '}
            {stock.data.low && (
              <Tag tone="tag-urgent" testId={`low-${med.code}`}>
                Low stock
              </Tag>
            )}
          </>
        ) : stock.error ? (
          <span className="error-text">{messageOf(stock.error)}</span>
        ) : (
          <span className="muted">…</span>
        )}
      </td>
      <td>{med.low_stock_threshold}</td>
      <td>
        <button type="button" className="btn btn-small" aria-pressed={selected} onClick={choose}>
          Movements{selected ? ' (shown)' : ''}
          <span className="sr-only"> of {med.name}</span>
        </button>
      </td>
    </tr>
  )
}

function Movements({ med, canMove, close }: { med: Medication; canMove: boolean; close: () => void }) {
  const stock = $api.useQuery('get', '/api/medications/{id}/stock', { params: { path: { id: med.id } } })
  return (
    <div className="stack stock-detail" aria-label={`Stock of ${med.name}`} role="region">
      <div className="row">
        <h3>
          {med.name} {med.strength}: {stock.data?.balance ?? '…'} in stock
        </h3>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={close}>
          Close
        </button>
      </div>
      {canMove && <MoveForm med={med} />}
      <LoadError error={stock.error ? messageOf(stock.error) : ''} retry={() => void stock.refetch()}>
        Could not load the movements
      </LoadError>
      {stock.data && stock.data.movements.length === 0 && <p className="muted">No movements yet: nothing received.</p>}
      {stock.data && stock.data.movements.length > 0 && (
        <table className="table">
          <caption className="sr-only">Latest movements of {med.name}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
              <th scope="col">Balance</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {stock.data.movements.map((m) => (
              <tr key={m.seq}>
                <td>{formatDateTime(m.at, 'auto')}</td>
                <td>{movementWords[m.kind]}{m.kind === 'dispense' && m.fill ? ` (fill ${m.fill})` : ''}</td>
                <td>{m.quantity > 0 ? `+${m.quantity}` : m.quantity}</td>
                <td>{m.balance}</td>
                <td>{m.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** Receive a delivery (a positive count) or adjust the count (a correction, up or down, with a reason). */
function MoveForm({ med }: { med: Medication }) {
  const client = useQueryClient()
  const [kind, setKind] = useState<'receive' | 'adjust'>('receive')
  const [quantity, setQuantity] = useState('')
  const [reason, setReason] = useState('')
  const [saved, setSaved] = useState('')
  const move = $api.useMutation('post', '/api/medications/{id}/stock', {
    onSuccess: (m) => {
      setSaved(`${movementWords[m.kind]} ${Math.abs(m.quantity)}: ${m.balance} in stock.`)
      setQuantity('')
      setReason('')
      void client.invalidateQueries({ queryKey: keyOf('/api/medications/{id}/stock') })
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSaved('')
    move.mutate({ params: { path: { id: med.id } }, body: { kind, quantity: Number(quantity), reason: reason.trim() || undefined } })
  }
  return (
    <form className="row move-form" onSubmit={submit} aria-label={`Move stock of ${med.name}`}>
      <label>
        Movement
        <select value={kind} onChange={(e) => setKind(e.target.value as 'receive' | 'adjust')}>
          <option value="receive">Receive a delivery</option>
          <option value="adjust">Adjust the count</option>
        </select>
      </label>
      <label>
        {kind === 'receive' ? 'Units received' : 'Change (− to write off)'}
        <input
          type="number"
          required
          step={1}
          min={kind === 'receive' ? 1 : undefined}
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
          aria-invalid={move.error ? true : undefined}
        />
      </label>
      <label className="grow">
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={kind === 'receive' ? 'Delivery note' : 'Why'} />
      </label>
      <SubmitButton busy={move.isPending} busyText="Saving…">
        {kind === 'receive' ? 'Receive' : 'Adjust'}
      </SubmitButton>
      <ErrorText error={move.error ? messageOf(move.error) : ''} />
      {saved && (
        <span className="ok-text" role="status">
          {saved}
        </span>
      )}
    </form>
  )
}
