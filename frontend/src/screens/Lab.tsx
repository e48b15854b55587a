// The lab desk (/lab, staff and doctors): the open orders of the patients in the caller's care, and for
// the chosen one its results (enter or correct), files (attach, view) and — for doctors — the release to
// the patient. Live: every `lab.order.changed` on the `lab` channel reloads the queue and the open order.
import { useState } from 'react'
import type { LabQueueItem } from '../api/types'
import { useLiveQueries } from '../live/useLiveQuery'
import { LabOrderPanel } from './lab/Order'
import { LabQueue } from './lab/Queue'
import './lab.css'

export function LabScreen() {
  const [chosen, setChosen] = useState<LabQueueItem | null>(null)
  useLiveQueries('lab', ['/api/lab-orders', '/api/lab-orders/{id}'])
  return (
    <div className="stack lab">
      <h1>Lab</h1>
      <div className={chosen ? 'lab-split' : undefined}>
        <LabQueue chosen={chosen?.id ?? ''} choose={setChosen} />
        {chosen && <LabOrderPanel key={chosen.id} item={chosen} close={() => setChosen(null)} />}
      </div>
    </div>
  )
}
