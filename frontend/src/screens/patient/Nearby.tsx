// The portal's "Nearby hospitals": the directory's hospitals nearest to the patient (nearby/).
import { NearbyHospitals } from '../nearby/NearbyHospitals'

export function Nearby() {
  return (
    <div className="stack">
      <NearbyHospitals />
    </div>
  )
}
