// The emergency sound: a two-tone alarm made with Web Audio (no audio file to ship or load). Browsers
// allow sound only after the person has interacted with the page, so unlockSound() is called on the first
// click or key press; a kiosk without anyone to click shows "Click to enable sound" until someone does.

let ctx: AudioContext | null = null

export function soundAvailable(): boolean {
  return typeof window !== 'undefined' && 'AudioContext' in window
}

export function soundUnlocked(): boolean {
  return ctx?.state === 'running'
}

export async function unlockSound(): Promise<boolean> {
  if (!soundAvailable()) return false
  ctx ??= new AudioContext()
  if (ctx.state !== 'running') await ctx.resume().catch(() => undefined)
  return ctx.state === 'running'
}

/** Plays the alarm (three rising pairs of tones, about 1.5 s); silent when sound is still locked. */
export function playAlarm(): void {
  if (!ctx || ctx.state !== 'running') return
  const t0 = ctx.currentTime
  for (let i = 0; i < 3; i++) {
    for (const [j, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      const at = t0 + i * 0.5 + j * 0.22
      osc.type = 'square'
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.0001, at)
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2)
      osc.connect(gain).connect(ctx.destination)
      osc.start(at)
      osc.stop(at + 0.21)
    }
  }
}
