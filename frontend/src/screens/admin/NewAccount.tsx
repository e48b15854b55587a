// Adds an account for one of the hospital's people (doctor, staff or admin) with an initial password the
// admin types or generates (POST /api/auth/register with the admin's token). The password is shown once,
// with a copy button, to hand to the person; the server's 400 is shown at the field it is about, and its
// 409 (the email has an account already) at the email. A new doctor's next step, the profile, is a click away.
import { CopyButton } from '../../components/CopyButton'
import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { ApiError, messageOf } from '../../api/client'
import { $api, keyOf } from '../../api/query'
import type { User } from '../../api/types'
import { ErrorText, SubmitButton } from '../../components/forms'
import { generatePassword } from './password'
import { roleWords as kindNames } from './roles'
import { choicesFor, useRoleChoices } from './roles'

type Field = 'name' | 'email' | 'password' | 'role' | ''

/** The field a 400 or 409 is about: the server's messages begin with the field's name. */
function fieldOf(e: unknown): Field {
  if (!(e instanceof ApiError)) return ''
  if (e.status === 409) return 'email'
  const first = /^(name|email|password|role)\b/.exec(e.message)
  return first ? (first[1] as Field) : ''
}

export function NewAccount({ onDoctor }: { onDoctor: (id: string) => void }) {
  const client = useQueryClient()
  const register = $api.useMutation('post', '/api/auth/register')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const roles = useRoleChoices()
  const choices = choicesFor(roles.choices, 'staff')
  const assign = $api.useMutation('patch', '/api/users/{id}')
  /** The role's id: a built-in one (its kind) or a custom one. */
  const [role, setRole] = useState('doctor')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<{ field: Field; text: string }>({ field: '', text: '' })
  /** The account just made and its password, shown once. */
  const [made, setMade] = useState<{ user: User; password: string; roleName: string; roleError?: string } | null>(null)

  const create = async (e: FormEvent) => {
    e.preventDefault()
    setError({ field: '', text: '' })
    setMade(null)
    try {
      const chosen = choices.find((c) => c.id === role) ?? { id: role, name: role, kind: 'staff' as const }
      // A custom role: the account is registered with the role's kind, then given the role.
      const res = await register.mutateAsync({ body: { name: name.trim(), email: email.trim(), role: chosen.kind, password } })
      // An admin's registration answers 201 with the account (202 is the anonymous answer).
      let user = (res as { user?: User }).user
      if (!user) throw new Error('The server did not return the new account.')
      let roleError: string | undefined
      if (chosen.id !== chosen.kind) {
        try {
          user = await assign.mutateAsync({ params: { path: { id: user.id } }, body: { role_id: chosen.id } })
        } catch (err) {
          roleError = `The account was made with the ${roleWords(chosen.kind)} role, but giving it ${chosen.name} failed: ${messageOf(err)} Change its role in the list below.`
        }
      }
      setMade({ user, password, roleName: roleError ? roleWords(chosen.kind) : chosen.name, roleError })
      setName('')
      setEmail('')
      setPassword('')
      await client.invalidateQueries({ queryKey: keyOf('/api/users') })
    } catch (err) {
      setError({ field: fieldOf(err), text: messageOf(err) })
    }
  }

  /** A field's invalid state and the ids of what describes it (its error, a hint). */
  const problem = (f: Field, hint?: string) => {
    const ids = [error.field === f ? `adm-new-${f}-error` : '', hint ?? ''].filter(Boolean).join(' ')
    return { 'aria-invalid': error.field === f ? true : undefined, 'aria-describedby': ids || undefined }
  }
  const fieldError = (field: Field) =>
    error.field === field ? (
      <span id={`adm-new-${field}-error`}>
        <ErrorText error={error.text} />
      </span>
    ) : null

  return (
    <section className="panel stack" aria-labelledby="adm-new-account-h">
      <form className="stack" onSubmit={(e) => void create(e)} aria-labelledby="adm-new-account-h" noValidate>
        <h2 id="adm-new-account-h">Add an account</h2>
        <div className="adm-fields-4">
          <div className="adm-field">
            <label htmlFor="adm-new-name">Name</label>
            <input id="adm-new-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" {...problem('name')} />
            {fieldError('name')}
          </div>
          <div className="adm-field">
            <label htmlFor="adm-new-email">Email</label>
            <input
              id="adm-new-email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              autoComplete="off"
              spellCheck={false}
              {...problem('email')}
            />
            {fieldError('email')}
          </div>
          <div className="adm-field">
            <label htmlFor="adm-new-role">Role</label>
            <select id="adm-new-role" value={role} onChange={(e) => setRole(e.target.value)} {...problem('role')}>
              {choices.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
            {fieldError('role')}
          </div>
          <div className="adm-field">
            <label htmlFor="adm-new-password">Initial password</label>
            <span className="row adm-nowrap">
              <input
                id="adm-new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
                minLength={8}
                autoComplete="new-password"
                spellCheck={false}
                className="adm-grow"
                {...problem('password', 'adm-password-hint')}
              />
              <button type="button" className="btn btn-small" onClick={() => setPassword(generatePassword())}>
                Generate
              </button>
            </span>
            {fieldError('password')}
          </div>
        </div>
        <p id="adm-password-hint" className="muted adm-hint">
          At least 8 characters, not a common password and not the email address. The person can change it after signing in.
        </p>
        <div className="row">
          <SubmitButton busy={register.isPending || assign.isPending} busyText="Adding…">
            Add account
          </SubmitButton>
          {error.field === '' && <ErrorText error={error.text} />}
        </div>
      </form>
      {made && (
        <div className="adm-made" role="status" data-testid="account-made">
          <p>
            <strong>
              {made.user.name}’s {made.roleName.toLowerCase()} account is ready
            </strong>{' '}
            ({made.user.email}). Their initial password:
          </p>
          <p className="row">
            <code className="adm-secret" data-testid="new-password">
              {made.password}
            </code>
            <CopyButton key={made.password} text={made.password} label="Copy password" what="password" />
          </p>
          <p className="adm-warn">Give this to the person; it is not shown again.</p>
          {made.roleError && (
            <p className="error-text" role="alert">
              {made.roleError}
            </p>
          )}
          <div className="row">
            {made.user.role === 'doctor' && (
              <button type="button" className="btn btn-primary btn-small" onClick={() => onDoctor(made.user.id)}>
                Set up {made.user.name}’s profile and hours
              </button>
            )}
            <button type="button" className="btn btn-small" onClick={() => setMade(null)}>
              Done, hide the password
            </button>
          </div>
        </div>
      )}
    </section>
  )
}

/** A kind's built-in role in words, lower case. */
function roleWords(kind: User['role']): string {
  return kindNames[kind].toLowerCase()
}
