// Small hooks of the display screen: the wall clock, the idle cursor of a kiosk, the alarm sound's
// unlock.
import { useEffect, useState } from 'react'
import { hhmm } from '../../api/client'
import { soundAvailable, soundUnlocked, unlockSound } from '../../sound'

/** The time as hh:mm, re-rendering only when the minute changes. */
export function useClock(): string {
  const [now, setNow] = useState(() => hhmm(new Date()))
  useEffect(() => {
    const t = setInterval(() => setNow(hhmm(new Date())), 1000)
    return () => clearInterval(t)
  }, [])
  return now
}

/** True once the mouse has not moved for `ms` (only while enabled), so a kiosk can hide the cursor. */
export function useIdle(ms: number, enabled: boolean): boolean {
  const [idle, setIdle] = useState(false)
  useEffect(() => {
    if (!enabled) {
      setIdle(false)
      return
    }
    let t = setTimeout(() => setIdle(true), ms)
    const wake = () => {
      setIdle(false)
      clearTimeout(t)
      t = setTimeout(() => setIdle(true), ms)
    }
    window.addEventListener('pointermove', wake)
    window.addEventListener('pointerdown', wake)
    return () => {
      clearTimeout(t)
      window.removeEventListener('pointermove', wake)
      window.removeEventListener('pointerdown', wake)
    }
  }, [ms, enabled])
  return idle
}

/**
 * Whether the alarm still needs a gesture to sound: true until someone clicks or presses a key on the
 * page (the browser allows sound only after that). main.tsx unlocks on the first gesture too; this
 * listens as well so the screen learns when it happened.
 */
export function useSoundLocked(): boolean {
  const [unlocked, setUnlocked] = useState(() => !soundAvailable() || soundUnlocked())
  useEffect(() => {
    if (unlocked) return
    let gone = false
    const unlock = () => {
      void unlockSound().then((ok) => !gone && setUnlocked(ok))
    }
    window.addEventListener('pointerdown', unlock)
    window.addEventListener('keydown', unlock)
    return () => {
      gone = true
      window.removeEventListener('pointerdown', unlock)
      window.removeEventListener('keydown', unlock)
    }
  }, [unlocked])
  return !unlocked
}
