// The pharmacy desk (/pharmacy): a role granted pharmacy.dispense works the
// queue of prescriptions waiting, one granted pharmacy.stock keeps the catalogue and its stock (receive, adjust, low stock, movements). Admins do not see the
// queue: they reach prescriptions only with a grant. Live: every event on the `pharmacy` channel (a
// prescription written, dispensed or cancelled; low stock) reloads the queue and the stock levels.
import { can } from '../roles'
import { useLiveQueries } from '../live/useLiveQuery'
import { AddMedication } from './pharmacy/AddMedication'
import { DispenseQueue } from './pharmacy/Queue'
import { StockPanel } from './pharmacy/Stock'
import './pharmacy.css'

export function PharmacyScreen() {
  // The queue needs pharmacy.dispense; receiving and adjusting stock, and new medications, pharmacy.stock.
  const dispenses = can('pharmacy.dispense')
  const stocks = can('pharmacy.stock')
  useLiveQueries('pharmacy', ['/api/prescriptions', '/api/medications/{id}/stock'])
  return (
    <div className="stack pharmacy">
      <h1>Pharmacy</h1>
      {dispenses && <DispenseQueue />}
      <StockPanel canMove={stocks} />
      {stocks && <AddMedication />}
    </div>
  )
}
