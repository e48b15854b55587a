// React glue for the live connection: one LiveConnection per signed-in session, its state for the
// badge, and useChannel for screens.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react'
import { api, must, session } from '../api/client'
import type { LiveEvent } from '../api/types'
import { report, wsURL } from '../desktop'
import { LiveConnection, type LiveState } from './connection'

const Ctx = createContext<LiveConnection | null>(null)

export function LiveProvider({ children, connection }: { children: ReactNode; connection?: LiveConnection }) {
  const [conn] = useState(
    () =>
      connection ??
      new LiveConnection({
        url: async () => wsURL((await must(api.POST('/api/ws/ticket'))).ticket),
        onAuthFailed: () => void session.signOut(),
        onAnyEvent: (e) => report(`event ${e.channel} ${e.seq} ${e.type}`),
        onRightsChanged: () => void session.withPermissions(true),
      }),
  )
  useEffect(() => {
    conn.start()
    const off = conn.onState((s) => report(s.status))
    const online = () => conn.reconnectNow()
    const visible = () => document.visibilityState === 'visible' && conn.check()
    window.addEventListener('online', online)
    document.addEventListener('visibilitychange', visible)
    return () => {
      off()
      window.removeEventListener('online', online)
      document.removeEventListener('visibilitychange', visible)
      conn.stop()
    }
  }, [conn])
  return <Ctx.Provider value={conn}>{children}</Ctx.Provider>
}

export function useLive(): LiveConnection {
  const c = useContext(Ctx)
  if (!c) throw new Error('useLive outside LiveProvider')
  return c
}

/** The connection's state, for the live/reconnecting/stale badge. */
export function useLiveState(): LiveState {
  const conn = useLive()
  const [s, setS] = useState(conn.current)
  useEffect(() => conn.onState(setS), [conn])
  return s
}

/**
 * Subscribes to a channel while the component is mounted (channel null: nothing). onEvent gets every
 * event once, in order; onSync is called when the screen should load its snapshot over REST (first
 * subscribe, and whenever the server says to reload). The callbacks may change between renders.
 */
export function useChannel(
  channel: string | null,
  onEvent: (e: LiveEvent) => void,
  onSync?: () => void,
  onError?: (code: string, message: string) => void,
): void {
  const conn = useLive()
  const ref = useRef({ onEvent, onSync, onError })
  ref.current = { onEvent, onSync, onError }
  useEffect(() => {
    if (!channel) return
    return conn.subscribe(channel, {
      onEvent: (e) => ref.current.onEvent(e),
      onSync: () => ref.current.onSync?.(),
      onError: (c, m) => ref.current.onError?.(c, m),
    })
  }, [conn, channel])
}
