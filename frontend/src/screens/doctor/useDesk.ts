// The doctor's desk kept live: the profile says which department's queue to follow; the snapshot (the
// dashboard and the department's queue) is loaded whenever a channel goes live or must reload, and every
// event is applied to what is shown. Events that arrive while a snapshot is on its way are applied again
// on top of it (those older than the snapshot are skipped), so none falls between the two.
import { useCallback, useRef, useState } from 'react'
import { api, messageOf, must } from '../../api/client'
import { useDepartments } from '../../api/departments'
import { $api } from '../../api/query'
import type { Appointment, LiveEvent } from '../../api/types'
import { useChannel } from '../../live/LiveProvider'
import { applyEvent, applyResult, deskFrom, type Desk } from './desk'

export interface DeskState {
  /** The doctor's department: null until the profile is loaded, '' when an admin has not set one. */
  department: string | null
  /** The department's display name, when the list of departments was had. */
  departmentName: string
  desk: Desk | null
  /** Why the profile or the snapshot could not be loaded ('' when it could). */
  error: string
  /** Loads the profile (after a failure) and the snapshot again. */
  reload: () => void
  /** Shows the answer of an action at once, before its event arrives. */
  applyResult: (a: Appointment) => void
}

export function useDesk(me: string): DeskState {
  // The profile (a cached query) says which department's queue to follow, until a dashboard says an
  // admin moved the doctor to another.
  const profile = $api.useQuery('get', '/api/doctors/{id}', { params: { path: { id: me } } }, { retry: false })
  const [moved, setMoved] = useState<string | null>(null)
  const department = moved ?? profile.data?.department ?? null
  const [desk, setDesk] = useState<Desk | null>(null)
  const [loadError, setError] = useState('')
  const error = loadError || (profile.error ? `Could not load your profile: ${messageOf(profile.error)}` : '')
  // The desk as of the last event: events are applied one after another, before React renders.
  const shown = useRef<Desk | null>(null)
  const deptRef = useRef<string | null>(null)
  deptRef.current = department
  // Events received while a snapshot is loading (null when none is).
  const during = useRef<LiveEvent[] | null>(null)
  const again = useRef(false)

  const show = useCallback((d: Desk) => {
    shown.current = d
    setDesk(d)
  }, [])

  // Without the list the id is shown instead.
  const departmentName = useDepartments().items?.find((x) => x.id === department)?.name ?? ''

  const load = useCallback(async (): Promise<void> => {
    if (during.current) {
      again.current = true
      return
    }
    during.current = []
    const dept = deptRef.current
    try {
      const [dash, snap] = await Promise.all([
        must(api.GET('/api/doctors/{id}/dashboard', { params: { path: { id: me } } })),
        dept ? must(api.GET('/api/queues/{department}', { params: { path: { department: dept } } })) : null,
      ])
      let d: Desk | null = deskFrom(dash, snap)
      for (const e of during.current) d = d && applyEvent(d, e, me)
      if (!d) again.current = true
      show(d ?? deskFrom(dash, snap))
      setError('')
      if (dash.doctor.department !== dept) {
        // An admin moved the doctor: follow the new department's queue (its channel loads it).
        deptRef.current = dash.doctor.department
        setMoved(dash.doctor.department)
      }
    } catch (e) {
      setError(`Could not load your queue: ${messageOf(e)}`)
    } finally {
      during.current = null
      if (again.current) {
        again.current = false
        void load()
      }
    }
  }, [me, show])

  const onEvent = (e: LiveEvent) => {
    during.current?.push(e)
    const d = shown.current
    if (!d) return
    const next = applyEvent(d, e, me)
    if (next === null) void load()
    else if (next !== d) show(next)
  }
  const onError = (_code: string, message: string) => setError(`Live updates refused: ${message}`)

  useChannel(department === null ? null : `queue:doctor:${me}`, onEvent, () => void load(), onError)
  useChannel(department ? `queue:dept:${department}` : null, onEvent, () => void load(), onError)

  const reload = useCallback(() => {
    if (deptRef.current === null) {
      setError('')
      void profile.refetch()
    } else void load()
  }, [load, profile])

  const result = useCallback(
    (a: Appointment) => {
      if (shown.current) show(applyResult(shown.current, a, me))
    },
    [me, show],
  )

  return { department, departmentName, desk, error, reload, applyResult: result }
}
