// The bed board: every ward's occupancy and beds, live on the `beds` channel (each `beds.updated` makes
// the wards, the boards and the admissions read again). Staff and doctors admit a patient to a free bed,
// and from an occupied bed record vitals, transfer or discharge (screens/beds). A bed names its patient
// only where GET /api/admissions returned the admission, i.e. where the access rule lets the reader see
// the patient; the board itself carries no names.
import { useState } from 'react'
import { hhmm, messageOf } from '../api/client'
import { can } from '../roles'
import { $api } from '../api/query'
import { LoadError } from '../components/forms'
import { useLiveState } from '../live/LiveProvider'
import { useLiveQueries } from '../live/useLiveQuery'
import { AdmitDialog } from './beds/Admit'
import { DischargeDialog } from './beds/Discharge'
import { TransferDialog } from './beds/Transfer'
import { VitalsDialog } from './beds/Vitals'
import { WardCard, type BedAction } from './beds/WardCard'
import './beds.css'

export function BedsScreen() {
  const wards = $api.useQuery('get', '/api/wards')
  const live = useLiveState()
  const [action, setAction] = useState<BedAction | null>(null)
  // Admitting, transferring and discharging need ward.admit, vitals chart.vitals; without either the
  // board is read-only (admins by default).
  const may = { admit: can('ward.admit'), vitals: can('chart.vitals') }
  const acts = may.admit || may.vitals
  useLiveQueries('beds', ['/api/wards', '/api/wards/{id}/beds', '/api/admissions'])

  const items = wards.data?.items
  const total = items?.reduce((n, w) => n + w.total, 0) ?? 0
  const free = items?.reduce((n, w) => n + w.free, 0) ?? 0
  const close = () => setAction(null)
  return (
    <div className="stack beds">
      <div className="beds-head">
        <h1>Beds</h1>
        {items && (
          <p className="beds-total" data-testid="beds-total">
            <strong>{free}</strong> free of {total}
          </p>
        )}
        {live.status !== 'live' && (
          <span className="tag tag-warn" role="status">
            {live.since ? `Not live since ${hhmm(live.since)}` : 'Not live yet'} — the board may be out of date
          </span>
        )}
      </div>
      <LoadError error={wards.error ? messageOf(wards.error) : ''} retry={() => void wards.refetch()}>
        Could not load the bed board
      </LoadError>
      {!items ? (
        !wards.error && <p className="muted">Loading the wards…</p>
      ) : items.length === 0 ? (
        <p className="muted">No wards yet. An administrator adds wards and their beds.</p>
      ) : (
        <div className="beds-wards">
          {items.map((w) => (
            <WardCard key={w.id} ward={w} onAction={acts ? setAction : undefined} may={may} />
          ))}
        </div>
      )}
      {action?.kind === 'admit' && <AdmitDialog ward={action.ward} bed={action.bed} onClose={close} />}
      {action?.kind === 'transfer' && <TransferDialog admission={action.admission} wards={items ?? []} onClose={close} />}
      {action?.kind === 'discharge' && <DischargeDialog admission={action.admission} wardName={action.ward.name} onClose={close} />}
      {action?.kind === 'vitals' && <VitalsDialog admission={action.admission} wardName={action.ward.name} onClose={close} />}
    </div>
  )
}
