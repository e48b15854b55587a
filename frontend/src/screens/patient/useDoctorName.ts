// Doctors' names for the portal's sections: records carry the doctor's user id (which is the doctor's
// id), and GET /api/doctors, which every role may read, names them.
import { $api } from '../../api/query'

/** A doctor's name from their id; undefined until the doctors are known, or for someone not a doctor. */
export function useDoctorName(): (id: string | undefined) => string | undefined {
  const doctors = $api.useQuery('get', '/api/doctors', undefined, { staleTime: 5 * 60_000 })
  return (id) => (id ? doctors.data?.items.find((d) => d.id === id)?.name : undefined)
}
