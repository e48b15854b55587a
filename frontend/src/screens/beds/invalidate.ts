// What an admission, transfer or discharge makes stale on this screen, read again at once (the live
// event would do it too, a moment later).
import type { QueryClient } from '@tanstack/react-query'
import { keyOf } from '../../api/query'

export function boardChanged(client: QueryClient): void {
  for (const p of ['/api/wards', '/api/wards/{id}/beds', '/api/admissions'] as const) {
    void client.invalidateQueries({ queryKey: keyOf(p) })
  }
}
