// My notification preferences (GET/PUT /api/me/notification-preferences): email and SMS on or off, the
// phone SMS go to, quiet hours, and (doctors and staff) being on call. The server checks the values; its
// message shows next to the Save button.
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, messageOf, must } from '../../api/client'
import { $api } from '../../api/query'
import type { NotificationPreferences, Role } from '../../api/types'
import { ErrorText, LoadError, SubmitButton } from '../../components/forms'

/** The cache key of the stored preferences. */
const keyOfPrefs = $api.queryOptions('get', '/api/me/notification-preferences').queryKey

/** Roles that can be on call (paged by SMS when an emergency alert goes unacknowledged). */
function canBeOnCall(role: Role): boolean {
  return role === 'doctor' || role === 'staff'
}

export function Preferences({ role }: { role: Role }) {
  const client = useQueryClient()
  const stored = $api.useQuery('get', '/api/me/notification-preferences', undefined, { retry: false })
  // What the person changed and has not saved yet (null: nothing, the stored ones are shown).
  const [draft, setDraft] = useState<NotificationPreferences | null>(null)
  const prefs = draft ?? stored.data ?? null
  const loadError = stored.error && !stored.isFetching ? messageOf(stored.error) : ''
  const load = () => void stored.refetch()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [saved, setSaved] = useState(false)

  const change = (c: Partial<NotificationPreferences>) => {
    if (prefs) setDraft({ ...prefs, ...c })
    setSaved(false)
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (!prefs) return
    setBusy(true)
    setError('')
    setSaved(false)
    try {
      const answer = await must(
        api.PUT('/api/me/notification-preferences', {
          body: {
            email: prefs.email,
            sms: prefs.sms,
            phone: prefs.phone.trim(),
            quiet_hours: { start: prefs.quiet_hours.start.trim(), end: prefs.quiet_hours.end.trim() },
            on_call: canBeOnCall(role) && prefs.on_call,
          },
        }),
      )
      client.setQueryData(keyOfPrefs, answer)
      setDraft(null)
      setSaved(true)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  const quiet = prefs?.quiet_hours
  return (
    <section className="panel stack" aria-labelledby="nt-prefs-h" data-testid="notification-preferences">
      <h2 id="nt-prefs-h">Preferences</h2>
      <p className="muted nt-hint">
        The hospital still sends what it must (emergency pages, a cancelled or moved appointment) whatever you
        choose here; quiet hours delay email and SMS until they end.
      </p>
      <LoadError error={loadError} retry={load}>
        Could not load your preferences
      </LoadError>
      {!prefs && !loadError && <p className="muted">Loading your preferences…</p>}
      {prefs && quiet && (
        <form className="stack" aria-labelledby="nt-prefs-h" onSubmit={(e) => void save(e)}>
          <fieldset className="nt-fields">
            <legend>Send me</legend>
            <label className="check">
              <input type="checkbox" checked={prefs.email} onChange={(e) => change({ email: e.target.checked })} />
              Email
            </label>
            <label className="check">
              <input type="checkbox" checked={prefs.sms} onChange={(e) => change({ sms: e.target.checked })} />
              SMS
            </label>
          </fieldset>
          <div className="nt-field">
            <label>
              Account email
              <input type="email" value={prefs.email_address ?? ''} readOnly aria-describedby="nt-email-hint" />
            </label>
            <span id="nt-email-hint" className="muted nt-hint">
              Where email goes; it is your sign-in address.
            </span>
          </div>
          <div className="nt-field">
            <label>
              SMS phone
              <input
                type="tel"
                name="phone"
                autoComplete="tel"
                value={prefs.phone}
                placeholder="+447911123456"
                onChange={(e) => change({ phone: e.target.value })}
                aria-describedby="nt-phone-hint"
              />
            </label>
            <span id="nt-phone-hint" className="muted nt-hint">
              International format (E.164): + and the country code, no spaces. Empty: the phone on your patient
              record, if any.
            </span>
          </div>
          <fieldset className="nt-fields">
            <legend>Quiet hours</legend>
            <div className="nt-times">
              <TimeField
                label="From"
                placeholder="22:00"
                value={quiet.start}
                onChange={(start) => change({ quiet_hours: { ...quiet, start } })}
              />
              <TimeField
                label="Until"
                placeholder="07:00"
                value={quiet.end}
                onChange={(end) => change({ quiet_hours: { ...quiet, end } })}
              />
            </div>
            <span id="nt-quiet-hint" className="muted nt-hint">
              HH:MM, hospital time; may span midnight. Both empty: no quiet hours.
            </span>
          </fieldset>
          {canBeOnCall(role) && (
            <label className="check">
              <input type="checkbox" checked={prefs.on_call} onChange={(e) => change({ on_call: e.target.checked })} />
              On call: page me by SMS when an emergency alert goes unacknowledged
            </label>
          )}
          <div className="row">
            <SubmitButton busy={busy} busyText="Saving…">
              Save
            </SubmitButton>
            {saved && (
              <span className="ok-text" role="status" data-testid="preferences-saved">
                Saved
              </span>
            )}
            <ErrorText error={error} />
          </div>
        </form>
      )}
    </section>
  )
}

/** One end of the quiet hours: HH:MM typed (the server checks it). */
function TimeField({
  label,
  placeholder,
  value,
  onChange,
}: {
  label: string
  placeholder: string
  value: string
  onChange: (v: string) => void
}) {
  return (
    <label>
      {label}
      <input
        inputMode="numeric"
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby="nt-quiet-hint"
      />
    </label>
  )
}
