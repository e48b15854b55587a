// One ward on the bed board: its counts and beds (GET /api/wards/{id}/beds) and, for each occupied bed,
// the admission in it as far as the access rule lets the reader see it (GET /api/admissions?ward=…:
// only admissions of patients the reader has clinical access to, with the patient's name). An occupied
// bed whose admission the server did not return shows no one and offers nothing. A free bed offers
// "Admit"; an occupied one a menu: record vitals, transfer, discharge.
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components'
import { messageOf } from '../../api/client'
import { useDepartmentName } from '../../api/departments'
import { $api } from '../../api/query'
import { LoadError } from '../../components/forms'
import type { Admission, Bed, Ward } from './types'

/** What the person chose to do, and where. */
export type BedAction =
  | { kind: 'admit'; ward: Ward; bed: Bed }
  | { kind: 'vitals' | 'transfer' | 'discharge'; ward: Ward; bed: Bed; admission: Admission }

/** What the reader's role may do from the board: admit, transfer and discharge (ward.admit); record vitals (chart.vitals). */
export interface BedRights {
  admit: boolean
  vitals: boolean
}

/** Without onAction, or with no rights, the board is read-only. */
export function WardCard({ ward, onAction, may = { admit: true, vitals: true } }: { ward: Ward; onAction?: (a: BedAction) => void; may?: BedRights }) {
  const board = $api.useQuery('get', '/api/wards/{id}/beds', { params: { path: { id: ward.id } } })
  const admissions = $api.useQuery('get', '/api/admissions', { params: { query: { ward: ward.id, active: 'true', limit: 100 } } })
  const byBed = new Map((admissions.data?.items ?? []).map((a) => [a.bed_id, a]))
  const w = board.data?.ward ?? ward
  const department = useDepartmentName()

  return (
    <section className="panel beds-ward" aria-labelledby={`ward-${w.id}`} data-testid={`ward-${w.id}`}>
      <h2 id={`ward-${w.id}`}>
        {w.name} <span className="muted">· {department(w.department)}</span>
      </h2>
      <p className="beds-counts" data-testid={`ward-${w.id}-counts`}>
        <strong>{w.free}</strong> free · {w.occupied} occupied · {w.total} beds
      </p>
      <LoadError error={board.error ? messageOf(board.error) : ''} retry={() => void board.refetch()}>
        Could not load the beds of {w.name}
      </LoadError>
      <LoadError error={admissions.error ? messageOf(admissions.error) : ''} retry={() => void admissions.refetch()}>
        Could not load who is in the beds
      </LoadError>
      {board.data && board.data.beds.length === 0 && <p className="muted">This ward has no beds yet.</p>}
      {board.data && board.data.beds.length > 0 && (
        <ul className="beds-grid" aria-label={`Beds of ${w.name}`}>
          {board.data.beds.map((bed) => {
            const a = bed.state === 'occupied' ? byBed.get(bed.id) : undefined
            return (
              <li key={bed.id} className={`bed bed-${bed.state}`} data-testid={`bed-${bed.label}`}>
                <span className="bed-label">{bed.label}</span>
                <span className="bed-state">{bed.state === 'free' ? 'Free' : 'Occupied'}</span>
                {a?.patient_name && <span className="bed-patient">{a.patient_name}</span>}
                {onAction && may.admit && bed.state === 'free' && (
                  <button type="button" className="btn btn-small" onClick={() => onAction({ kind: 'admit', ward: w, bed })} aria-label={`Admit to bed ${bed.label}`}>
                    Admit
                  </button>
                )}
                {onAction && a && (may.admit || may.vitals) && (
                  <MenuTrigger>
                    <Button className="btn btn-small" aria-label={`Bed ${bed.label}: ${a.patient_name ?? 'occupied'}, actions`}>
                      Actions ▾
                    </Button>
                    <Popover className="beds-menu-popover" placement="bottom">
                      <Menu className="beds-menu" onAction={(k) => onAction({ kind: k as 'vitals' | 'transfer' | 'discharge', ward: w, bed, admission: a })}>
                        {may.vitals && (
                          <MenuItem id="vitals" className="beds-menu-item">
                            Record vitals…
                          </MenuItem>
                        )}
                        {may.admit && (
                          <MenuItem id="transfer" className="beds-menu-item">
                            Transfer…
                          </MenuItem>
                        )}
                        {may.admit && (
                          <MenuItem id="discharge" className="beds-menu-item">
                            Discharge…
                          </MenuItem>
                        )}
                      </Menu>
                    </Popover>
                  </MenuTrigger>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
