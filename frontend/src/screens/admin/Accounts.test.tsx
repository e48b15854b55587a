// The admin's accounts tab against canned REST answers: adding an account shows its password once (with
// a copy button) and the server's 409 at the email; changing a role and disabling an account send the
// change, and the server's refusal (your own account) is shown on the row; "Email a set-password link"
// says what will happen, sends it on confirmation and shows until when it works, or the server's 409.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { formatDateTime } from '../../api/time'
import type { User } from '../../api/types'
import { apiError, fakeServer, type Answer, type Call } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { NewAccount } from './NewAccount'
import { Users } from './Users'

const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  name: `User ${id}`,
  email: `${id}@hms.test`,
  role: 'staff',
  role_id: over.role ?? 'staff',
  disabled: false,
  created_at: '2026-11-01T09:00:00Z',
  ...over,
})

let users: User[]
let calls: Call[]
let registerAnswer: (c: Call) => Answer

beforeEach(() => {
  signIn({ id: 'me', role: 'admin' })
  users = [user('me', { name: 'Ada Admin', role: 'admin' }), user('u2', { name: 'Sam Staff' })]
  registerAnswer = ({ body }) => {
    const b = body as { name: string; email: string; role: User['role'] }
    const u = user('d1', { name: b.name, email: b.email, role: b.role })
    users = [...users, u]
    return { status: 201, body: { id: u.id, user: u } }
  }
  calls = fakeServer({
    'GET /api/users': () => ({ body: { items: users, total: users.length, page: 1, limit: 20 } }),
    'POST /api/auth/register': (c) => registerAnswer(c),
    'POST /api/users/u2/password-link': { status: 202, body: { expires_at: '2026-12-10T16:00:00Z' } },
    'POST /api/users/u3/password-link': apiError(409, 'conflict', 'the account is disabled; enable it first'),
    'PATCH /api/users/me': apiError(403, 'forbidden', 'you cannot change your own role or disable yourself'),
    'PATCH /api/users/u2': ({ body }) => patched('u2', body),
    'PATCH /api/users/d1': ({ body }) => patched('d1', body),
    'GET /api/roles': {
      body: {
        items: [
          { id: 'admin', name: 'Administrator', kind: 'admin', built_in: true, grants: [], users: 1, revision: 0 },
          { id: 'doctor', name: 'Doctor', kind: 'doctor', built_in: true, grants: [], users: 0, revision: 0 },
          { id: 'staff', name: 'Staff', kind: 'staff', built_in: true, grants: [], users: 1, revision: 0 },
          { id: 'patient', name: 'Patient', kind: 'patient', built_in: true, grants: [], users: 0, revision: 0 },
          { id: 'nurse', name: 'Nurse', kind: 'staff', built_in: false, grants: [], users: 0, revision: 1 },
        ],
      },
    },
  })
})

afterEach(() => vi.restoreAllMocks())

/** PATCH /api/users/{id}: a role_id gives the account the role and its kind. */
function patched(id: string, body: unknown) {
  const b = body as { role_id?: string; disabled?: boolean }
  const kind = b.role_id === 'nurse' ? 'staff' : (b.role_id as User['role'] | undefined)
  users = users.map((u) => (u.id === id ? { ...u, ...b, ...(kind && { role: kind }) } : u))
  return { body: users.find((u) => u.id === id) }
}

function screenOf(onDoctor = vi.fn()) {
  renderLive(
    new FakeLive(),
    <>
      <NewAccount onDoctor={onDoctor} />
      <Users />
    </>,
  )
  return onDoctor
}

describe('Add an account', () => {
  it('creates a doctor with a generated password, shows it once with a copy button, and lists the account', async () => {
    const u = userEvent.setup()
    const onDoctor = screenOf()
    const form = screen.getByRole('form', { name: 'Add an account' })
    await u.type(within(form).getByLabelText('Name'), 'Dr Dee')
    await u.type(within(form).getByLabelText('Email'), 'dee@hms.test')
    expect((within(form).getByLabelText('Role') as HTMLSelectElement).value).toBe('doctor')
    await u.click(within(form).getByRole('button', { name: 'Generate' }))
    const generated = (within(form).getByLabelText('Initial password') as HTMLInputElement).value
    expect(generated).toMatch(/^[a-zA-Z2-9]{14}$/)
    await u.click(within(form).getByRole('button', { name: 'Add account' }))

    const made = await screen.findByTestId('account-made')
    expect(within(made).getByTestId('new-password').textContent).toBe(generated)
    expect(made.textContent).toContain('Give this to the person; it is not shown again.')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/auth/register')?.body).toEqual({
      name: 'Dr Dee',
      email: 'dee@hms.test',
      role: 'doctor',
      password: generated,
    })
    // The form is empty again: the password is nowhere but in the notice.
    expect((within(form).getByLabelText('Initial password') as HTMLInputElement).value).toBe('')

    await u.click(within(made).getByRole('button', { name: 'Copy password' }))
    expect(await navigator.clipboard.readText()).toBe(generated)
    expect(within(made).getByText('Copied.')).toBeTruthy()

    await waitFor(() => expect(screen.getByTestId('users-table').textContent).toContain('Dr Dee'))

    await u.click(within(made).getByRole('button', { name: 'Set up Dr Dee’s profile and hours' }))
    expect(onDoctor).toHaveBeenCalledWith('d1')

    await u.click(within(made).getByRole('button', { name: 'Done, hide the password' }))
    expect(screen.queryByTestId('account-made')).toBeNull()
    expect(screen.queryByText(generated)).toBeNull()
  })

  it('shows the server’s 409 at the email and the 400 at the password, keeping what was typed', async () => {
    registerAnswer = () => apiError(409, 'conflict', 'an account with this email already exists')
    screenOf()
    const form = screen.getByRole('form', { name: 'Add an account' })
    await userEvent.type(within(form).getByLabelText('Name'), 'Sam Two')
    await userEvent.type(within(form).getByLabelText('Email'), 'u2@hms.test')
    await userEvent.selectOptions(within(form).getByLabelText('Role'), 'staff')
    await userEvent.type(within(form).getByLabelText('Initial password'), 'a long secret 1')
    await userEvent.click(within(form).getByRole('button', { name: 'Add account' }))

    const email = within(form).getByLabelText('Email') as HTMLInputElement
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'))
    expect(email.closest('.adm-field')?.textContent).toContain('an account with this email already exists')
    expect(email.value).toBe('u2@hms.test')
    expect(screen.queryByTestId('account-made')).toBeNull()

    registerAnswer = () => apiError(400, 'invalid', 'password is too common; choose another')
    await userEvent.click(within(form).getByRole('button', { name: 'Add account' }))
    const password = within(form).getByLabelText('Initial password')
    await waitFor(() => expect(password.closest('.adm-field')?.textContent).toContain('password is too common; choose another'))
    expect(email.getAttribute('aria-invalid')).toBeNull()
  })
})

describe('Accounts', () => {
  it('changes a role and disables an account, and shows the server’s refusal for your own', async () => {
    screenOf()
    const table = await screen.findByTestId('users-table')
    await userEvent.selectOptions(within(table).getByRole('combobox', { name: 'Role of Sam Staff' }), 'doctor')
    await userEvent.click(within(table).getByRole('button', { name: 'Save role' }))
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'PATCH').map((c) => [c.path, c.body])).toEqual([['/api/users/u2', { role_id: 'doctor' }]]),
    )
    await waitFor(() => expect(within(table).queryByRole('button', { name: 'Save role' })).toBeNull())

    await userEvent.click(within(table).getByRole('button', { name: 'Disable Sam Staff' }))
    await waitFor(() => expect(within(table).getByRole('button', { name: 'Enable Sam Staff' })).toBeTruthy())
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ disabled: true })

    await userEvent.click(within(table).getByRole('button', { name: 'Disable Ada Admin' }))
    const row = within(table).getByText('Ada Admin').closest('tr')!
    expect((await within(row).findByRole('alert')).textContent).toBe('you cannot change your own role or disable yourself')
    expect(row.textContent).toContain('Active')
  })
})

describe('Email a set-password link', () => {
  it('says what will happen, sends the link on confirmation and shows until when it works', async () => {
    screenOf()
    const table = await screen.findByTestId('users-table')
    await userEvent.click(within(table).getByRole('button', { name: 'Email a set-password link to Sam Staff' }))
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog.textContent).toContain(
      'Sam Staff gets an email at u2@hms.test with a link to set a new password; it works once, for 72 hours.',
    )
    expect(calls.some((c) => c.path.endsWith('/password-link'))).toBe(false)
    await userEvent.click(within(dialog).getByRole('button', { name: 'Send the link' }))

    const row = within(table).getByText('Sam Staff').closest('tr')!
    expect((await within(row).findByRole('status')).textContent).toBe(
      `Sent to u2@hms.test; the link works until ${formatDateTime('2026-12-10T16:00:00Z', 'auto')}.`,
    )
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/users/u2/password-link'])
    expect(screen.queryByRole('alertdialog')).toBeNull()
  })

  it('shows the server’s 409 for a disabled account in words, and Cancel sends nothing', async () => {
    users = [...users, user('u3', { name: 'Dee Disabled', disabled: true })]
    screenOf()
    const table = await screen.findByTestId('users-table')
    await userEvent.click(within(table).getByRole('button', { name: 'Email a set-password link to Dee Disabled' }))
    let dialog = await screen.findByRole('alertdialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Send the link' }))
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the account is disabled; enable it first')

    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    await userEvent.click(within(table).getByRole('button', { name: 'Email a set-password link to Sam Staff' }))
    dialog = await screen.findByRole('alertdialog')
    expect(within(dialog).queryByRole('alert')).toBeNull()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/users/u3/password-link'])
  })
})

describe('custom roles', () => {
  it('offers custom roles and assigns one by role_id; the list shows its name', async () => {
    screenOf()
    const table = await screen.findByTestId('users-table')
    const choose = await within(table).findByRole('combobox', { name: 'Role of Sam Staff' })
    await waitFor(() => expect(within(choose).getAllByRole('option').map((o) => o.textContent)).toEqual(['Doctor', 'Staff', 'Admin', 'Nurse']))
    await userEvent.selectOptions(choose, 'nurse')
    await userEvent.click(within(table).getByRole('button', { name: 'Save role' }))
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ role_id: 'nurse' }]))
    await waitFor(() => expect((within(table).getByRole('combobox', { name: 'Role of Sam Staff' }) as HTMLSelectElement).value).toBe('nurse'))
  })

  it('without roles.manage offers the built-in roles only, and still names a custom role held', async () => {
    signIn({ id: 'me', role: 'admin', permissions: ['users.manage'] })
    users = [...users, user('u4', { name: 'Nia Nurse', role_id: 'night-nurse' })]
    screenOf()
    const table = await screen.findByTestId('users-table')
    const choose = within(table).getByRole('combobox', { name: 'Role of Nia Nurse' }) as HTMLSelectElement
    expect(choose.value).toBe('night-nurse')
    expect(within(choose).getAllByRole('option').map((o) => o.textContent)).toEqual(['Doctor', 'Staff', 'Admin', 'Night nurse'])
    expect(calls.some((c) => c.path === '/api/roles')).toBe(false)
  })

  it('makes an account with a custom role: registered with its kind, then given the role', async () => {
    screenOf()
    const form = screen.getByRole('form', { name: 'Add an account' })
    await waitFor(() => expect(within(form).getByRole('option', { name: 'Nurse' })).toBeTruthy())
    await userEvent.type(within(form).getByLabelText('Name'), 'Nia Nurse')
    await userEvent.type(within(form).getByLabelText('Email'), 'nia@hms.test')
    await userEvent.selectOptions(within(form).getByLabelText('Role'), 'nurse')
    await userEvent.type(within(form).getByLabelText('Initial password'), 'a long secret 1')
    await userEvent.click(within(form).getByRole('button', { name: 'Add account' }))
    const made = await screen.findByTestId('account-made')
    expect(made.textContent).toContain('Nia Nurse’s nurse account is ready')
    expect((calls.find((c) => c.path === '/api/auth/register')?.body as { role: string }).role).toBe('staff')
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => [c.path, c.body])).toEqual([['/api/users/d1', { role_id: 'nurse' }]])
  })
})
