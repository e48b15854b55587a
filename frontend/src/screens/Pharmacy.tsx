// The pharmacy desk (/pharmacy): staff dispense the prescriptions waiting (the work queue), and staff and
// admins keep the catalogue and its stock (receive, adjust, low stock, movements). Admins do not see the
// queue: they reach prescriptions only with a grant. Live: every event on the `pharmacy` channel (a
// prescription written, dispensed or cancelled; low stock) reloads the queue and the stock levels.
import { session } from '../api/client'
import { useLiveQueries } from '../live/useLiveQuery'
import { AddMedication } from './pharmacy/AddMedication'
import { DispenseQueue } from './pharmacy/Queue'
import { StockPanel } from './pharmacy/Stock'
import './pharmacy.css'

export function PharmacyScreen() {
  const staff = session.current?.user.role === 'staff'
  useLiveQueries('pharmacy', ['/api/prescriptions', '/api/medications/{id}/stock'])
  return (
    <div className="stack pharmacy">
      <h1>Pharmacy</h1>
      {staff && <DispenseQueue />}
      <StockPanel canMove />
      <AddMedication />
    </div>
  )
}
