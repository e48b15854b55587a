// The bridge to the Wails desktop app (desktop/). Every call is guarded, so the same build runs in a
// plain browser, where `window.go` does not exist.

export interface DesktopConfig {
  server_url: string
  department: string
  kiosk: boolean
  first_run: boolean
  version: string
}

interface DesktopApp {
  Config(): Promise<DesktopConfig>
  SaveConfig(c: DesktopConfig): Promise<void>
  Session(): Promise<string>
  SaveSession(refreshToken: string): Promise<void>
  ClearSession(): Promise<void>
  Notify(title: string, body: string): Promise<void>
  Report(line: string): Promise<void>
  Quit(): Promise<void>
}

declare global {
  interface Window {
    go?: { main?: { App?: DesktopApp } }
  }
}

function app(): DesktopApp | undefined {
  return typeof window === 'undefined' ? undefined : window.go?.main?.App
}

/** True inside the desktop app. */
export function isDesktop(): boolean {
  return app() !== undefined
}

let cached: DesktopConfig | undefined

/** The desktop app's settings; undefined in a browser. */
export async function desktopConfig(): Promise<DesktopConfig | undefined> {
  const a = app()
  if (!a) return undefined
  cached = await a.Config()
  return cached
}

/** The last settings read, without a round trip. */
export function cachedDesktopConfig(): DesktopConfig | undefined {
  return cached
}

export async function saveDesktopConfig(c: DesktopConfig): Promise<void> {
  const a = app()
  if (!a) return
  await a.SaveConfig(c)
  cached = { ...c, first_run: false }
}

export async function rememberedSession(): Promise<string> {
  return (await app()?.Session()) ?? ''
}

export async function rememberSession(refreshToken: string): Promise<void> {
  await app()?.SaveSession(refreshToken)
}

export async function forgetSession(): Promise<void> {
  await app()?.ClearSession()
}

/** A desktop notification (emergency alerts); a no-op in a browser, never throws. */
export function notifyDesktop(title: string, body: string): void {
  app()?.Notify(title, body).catch(() => undefined)
}

/** Reports a state line to the desktop app's stdout (what its smoke test waits for). */
export function report(line: string): void {
  app()?.Report(line).catch(() => undefined)
}

/**
 * The websocket URL. The desktop serves the UI from its own scheme and proxies REST, but a websocket
 * cannot go through that proxy, so it connects to the configured server directly.
 */
export function wsURL(ticket: string): string {
  const base = cached?.server_url
  const origin = base ? new URL(base) : new URL(window.location.href)
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${origin.host}/ws?ticket=${encodeURIComponent(ticket)}`
}
