// Prescriptions in the query cache. A live event names one prescription (prescription.refill_due on the
// patient's channel, after a fill was dispensed): rather than read the patient's whole list again, the
// screen reads that one (GET /api/prescriptions/{id}) and puts it into each cached list of the patient's
// prescriptions that shows it. A list that does not show it, or a read that fails, is read again.
import { useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import { $api, keyOf } from './query'
import type { components } from './schema'

type Prescription = components['schemas']['Prescription']
type PrescriptionList = components['schemas']['PrescriptionList']

/** Returns refresh(id): reads that one prescription again and merges it into the cached lists. */
export function usePrescriptionRefresh(): (id: string) => void {
  const client = useQueryClient()
  return useCallback(
    (id: string) => {
      const lists = keyOf('/api/patients/{id}/prescriptions')
      if (!id) {
        void client.invalidateQueries({ queryKey: lists })
        return
      }
      const one = $api.queryOptions('get', '/api/prescriptions/{id}', { params: { path: { id } } })
      client.fetchQuery({ ...one, staleTime: 0, retry: false }).then(
        (rx: Prescription) => {
          for (const [key, list] of client.getQueriesData<PrescriptionList>({ queryKey: lists })) {
            if (!list) continue
            const i = list.items.findIndex((x) => x.id === rx.id)
            if (i < 0) {
              if ((key[2] as { params?: { path?: { id?: string } } })?.params?.path?.id === rx.patient_id) {
                void client.invalidateQueries({ queryKey: key, exact: true })
              }
              continue
            }
            const items = [...list.items]
            items[i] = rx
            client.setQueryData<PrescriptionList>(key, { ...list, items })
          }
        },
        () => void client.invalidateQueries({ queryKey: lists }),
      )
    },
    [client],
  )
}
