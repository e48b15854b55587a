// Desktop settings: the server to use and, for a ward kiosk, its department. In a browser the server is
// the one that served the page, so there is nothing to set.
import { useEffect, useState, type FormEvent } from 'react'
import { useLocation } from 'wouter'
import { messageOf } from '../api/client'
import { ErrorText } from '../components/forms'
import { desktopConfig, isDesktop, saveDesktopConfig, type DesktopConfig } from '../desktop'

export function SettingsScreen({ first = false, onSaved }: { first?: boolean; onSaved: (c: DesktopConfig) => void }) {
  const [cfg, setCfg] = useState<DesktopConfig | null>(null)
  const [url, setURL] = useState('')
  const [department, setDepartment] = useState('')
  const [status, setStatus] = useState('')
  const [error, setError] = useState('')
  const [, navigate] = useLocation()

  useEffect(() => {
    void desktopConfig().then((c) => {
      if (!c) return
      setCfg(c)
      setURL(c.server_url || 'http://')
      setDepartment(c.department)
    })
  }, [])

  if (!isDesktop()) {
    return (
      <div className="panel">
        <h1>Settings</h1>
        <p>In a browser, HMS uses the server that served this page: {window.location.origin}</p>
      </div>
    )
  }

  const save = async (ev: FormEvent) => {
    ev.preventDefault()
    if (!cfg) return
    setError('')
    setStatus('Checking the server…')
    const next = { ...cfg, server_url: url.trim().replace(/\/+$/, ''), department: department.trim() }
    try {
      await saveDesktopConfig(next)
      const res = await fetch('/healthz').catch(() => null)
      setStatus(res?.ok ? 'Saved. The server answers.' : 'Saved, but the server does not answer yet.')
      onSaved({ ...next, first_run: false })
      if (!first) navigate('/', { replace: true })
    } catch (e) {
      setStatus('')
      setError(messageOf(e))
    }
  }

  return (
    <div className="center-page">
      <form className="panel signin" onSubmit={(e) => void save(e)} aria-labelledby="settings-title">
        <h1 id="settings-title">{first ? 'Welcome to HMS' : 'Settings'}</h1>
        {first && <p>Which HMS server should this desk use?</p>}
        <label>
          Server URL
          <input
            name="server_url"
            type="url"
            placeholder="https://hms.hospital.example"
            value={url}
            onChange={(e) => setURL(e.target.value)}
            autoFocus
            required
          />
        </label>
        <label>
          Department shown in kiosk mode (optional)
          <input
            name="department"
            placeholder="e.g. cardiology"
            value={department}
            onChange={(e) => setDepartment(e.target.value)}
          />
        </label>
        <ErrorText error={error} block />
        {status && <p className="muted">{status}</p>}
        <button type="submit" className="btn btn-primary">
          Save
        </button>
        {cfg?.version && <p className="muted">HMS desktop {cfg.version}</p>}
      </form>
    </div>
  )
}
