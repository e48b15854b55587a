// The ward / waiting-room display: full screen, no app shell, legible from across the room. Without a
// department it offers the departments to choose from; with one it shows that department's board
// (display/Board.tsx). It shows ticket numbers, doctors and waits only: the board it reads has no names.
// Staff-side accounts also get the emergency banner with its alarm; a kiosk hides an idle cursor.
import { useEffect } from 'react'
import { Link, useLocation, useRoute } from 'wouter'
import { session } from '../api/client'
import { useDepartments } from '../api/departments'
import { AlertBanner } from '../components/AlertBanner'
import { getsAlerts } from '../roles'
import { Board } from './display/Board'
import { Chooser } from './display/Chooser'
import { useIdle, useSoundLocked } from './display/hooks'
import './display.css'

/** How long the mouse must rest before a kiosk hides the cursor. */
const idleMs = 4000

/** How long to wait before asking for the departments again after a failure. */
const departmentsRetryMs = 10_000

export function DisplayScreen({ department, kiosk = false }: { department?: string; kiosk?: boolean }) {
  const [, navigate] = useLocation()
  // A kiosk shows the display whatever the address, so it reads a department chosen from the list itself.
  const [, params] = useRoute('/display/:department')
  // A kiosk has no one to press retry: the list is asked for again on its own until the server answers.
  const departments = useDepartments(departmentsRetryMs)
  const idle = useIdle(idleMs, kiosk)
  const soundLocked = useSoundLocked()
  const alerts = getsAlerts(session.current?.user)

  useEffect(() => {
    if (kiosk) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') navigate('/')
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [kiosk, navigate])

  const list = departments.items ?? []
  let shown = department ?? (kiosk ? params?.department : undefined)
  // A kiosk with nothing configured and only one department to show shows it.
  if (!shown && kiosk && list.length === 1) shown = list[0]?.id

  return (
    <main className={`display${idle ? ' ds-idle' : ''}`} data-testid="display">
      {alerts && <AlertBanner canAck={false} />}
      {shown ? (
        <Board key={shown} department={shown} name={list.find((d) => d.id === shown)?.name} />
      ) : (
        <Chooser departments={departments} />
      )}
      {(!kiosk || (alerts && soundLocked)) && (
        <div className="ds-corner">
          {alerts && soundLocked && (
            <span className="ds-sound-hint" data-testid="sound-hint">
              Click anywhere to enable alarm sound
            </span>
          )}
          {!kiosk && (
            <Link href="/" className="ds-exit">
              Exit (Esc)
            </Link>
          )}
        </div>
      )}
    </main>
  )
}
