// The roles tab against canned answers: the matrix's groups and role columns, the cells that cannot be
// changed and why, a saved column sent whole with the revision seen, a stale revision said in words
// and the matrix read again, a new role started from nothing, and deleting an unused custom role.
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PermissionInfo, RoleInfo } from '../../api/types'
import { apiError, fakeServer, type Call, type Route } from '../../test/http'
import { FakeLive, renderLive } from '../../test/live'
import { signIn } from '../../test/session'
import { Roles } from './Roles'

const catalogue: PermissionInfo[] = [
  { id: 'users.manage', group: 'Administration', description: 'Create accounts', kinds: ['admin'], defaults: ['admin'] },
  { id: 'roles.manage', group: 'Administration', description: 'Change roles', kinds: ['admin'], defaults: ['admin'] },
  { id: 'ward.view', group: 'Wards', description: 'See wards', kinds: ['admin', 'doctor', 'staff'], defaults: ['admin', 'doctor', 'staff'] },
  { id: 'chart.read', group: 'Chart', description: 'Read encounters', kinds: ['admin', 'doctor', 'staff', 'patient'], defaults: ['doctor', 'staff', 'patient'] },
  { id: 'chart.vitals', group: 'Chart', description: 'Record vital signs', kinds: ['doctor', 'staff'], defaults: ['doctor', 'staff'] },
]

const role = (over: Partial<RoleInfo> & Pick<RoleInfo, 'id' | 'name' | 'kind'>): RoleInfo => ({
  built_in: false,
  grants: [],
  users: 0,
  revision: 1,
  ...over,
})

let roles: RoleInfo[]
let routes: Record<string, Route>
let calls: Call[]

beforeEach(() => {
  signIn({ id: 'a0000000000000000000000a', role: 'admin', name: 'Ada Admin' })
  roles = [
    role({ id: 'admin', name: 'Administrator', kind: 'admin', built_in: true, grants: ['users.manage', 'roles.manage', 'ward.view'], users: 1, revision: 0 }),
    role({ id: 'staff', name: 'Staff', kind: 'staff', built_in: true, grants: ['ward.view', 'chart.read', 'chart.vitals'], users: 3, revision: 0 }),
    role({ id: 'nurse', name: 'Nurse', kind: 'staff', grants: ['ward.view'], revision: 4 }),
  ]
  routes = {
    'GET /api/permissions': { body: { items: catalogue } },
    'GET /api/roles': () => ({ body: { items: roles } }),
    'PUT /api/roles/nurse': (c) => ({ body: { ...roles[2], ...(c.body as object), revision: 5 } }),
    'POST /api/roles': (c) => {
      const b = c.body as { name: string; kind: 'staff'; grants?: [] }
      const made = role({ id: b.name.toLowerCase().replace(/ /g, '-'), name: b.name, kind: b.kind, grants: b.grants ?? [] })
      roles = [...roles, made]
      return { status: 201, body: made }
    },
    'DELETE /api/roles/nurse': () => {
      roles = roles.filter((r) => r.id !== 'nurse')
      return { status: 204, body: null }
    },
  }
  calls = fakeServer(routes)
})

afterEach(() => vi.restoreAllMocks())

const box = (name: string) => screen.getByRole<HTMLInputElement>('checkbox', { name })

describe('Roles', () => {
  it('shows the permissions under their groups and a column per role with its kind and holders', async () => {
    renderLive(new FakeLive(), <Roles />)
    const matrix = await screen.findByTestId('roles-matrix')
    for (const g of ['Administration', 'Wards', 'Chart']) expect(within(matrix).getByRole('rowheader', { name: g })).toBeTruthy()
    expect(within(matrix).getByText('Record vital signs')).toBeTruthy()
    const heads = within(matrix).getAllByRole('columnheader').map((h) => h.textContent)
    expect(heads[0]).toBe('Permission')
    expect(heads[1]).toContain('Administrator')
    expect(heads[1]).toContain('1 account')
    expect(heads[2]).toContain('3 accounts')
    expect(heads[3]).toContain('Nurse')
    expect(heads[3]).toContain('staff kind')
    expect(box('Grant ward.view to Nurse').checked).toBe(true)
    expect(box('Grant chart.vitals to Nurse').checked).toBe(false)
  })

  it('disables the cells a kind may not hold and the Administrator’s locked ones, saying why', async () => {
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    const notHoldable = box('Grant users.manage to Nurse')
    expect(notHoldable.disabled).toBe(true)
    expect(notHoldable.closest('td')?.title).toMatch(/staff-kind role may not hold users\.manage/)
    expect(document.getElementById(notHoldable.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/only admin roles may/)
    const lockedBox = box('Grant roles.manage to Administrator')
    expect(lockedBox.disabled).toBe(true)
    expect(lockedBox.checked).toBe(true)
    expect(lockedBox.closest('td')?.title).toMatch(/always keeps roles\.manage/)
    expect(box('Grant chart.vitals to Administrator').disabled).toBe(true)
    expect(box('Grant chart.vitals to Nurse').disabled).toBe(false)
    expect(box('Grant ward.view to Administrator').disabled).toBe(false)
  })

  it('saves a changed column whole, with the revision seen; Undo drops the changes', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    expect(screen.queryByRole('button', { name: 'Save Nurse' })).toBeNull()
    await user.click(box('Grant chart.vitals to Nurse'))
    await user.click(box('Grant chart.read to Nurse'))
    await user.click(screen.getByRole('button', { name: 'Undo changes to Nurse' }))
    expect(box('Grant chart.vitals to Nurse').checked).toBe(false)
    await user.click(box('Grant chart.vitals to Nurse'))
    await user.click(box('Grant chart.read to Nurse'))
    // Only the changed role offers Save.
    expect(screen.queryByRole('button', { name: 'Save Staff' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Save Nurse' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true))
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.path).toBe('/api/roles/nurse')
    // In catalogue order, whatever the order of the clicks.
    expect(put?.body).toEqual({ grants: ['ward.view', 'chart.read', 'chart.vitals'], revision: 4 })
    expect(await screen.findByText(/Saved\. It applies to its holders at once/)).toBeTruthy()
  })

  it('says in words that someone else changed the role, and reads the matrix again', async () => {
    routes['PUT /api/roles/nurse'] = () => {
      roles = roles.map((r) => (r.id === 'nurse' ? { ...r, grants: ['ward.view', 'chart.read'], revision: 5 } : r))
      return apiError(409, 'stale_revision', 'the role was changed by someone else since you read it; reload and try again')
    }
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    await user.click(box('Grant chart.vitals to Nurse'))
    await user.click(screen.getByRole('button', { name: 'Save Nurse' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/Someone else changed Nurse while you were editing it/)
    // Their version is shown; the draft is gone.
    await waitFor(() => expect(box('Grant chart.read to Nurse').checked).toBe(true))
    expect(box('Grant chart.vitals to Nurse').checked).toBe(false)
    expect(screen.queryByRole('button', { name: 'Save Nurse' })).toBeNull()
  })

  it('says why the last role able to manage roles cannot lose it', async () => {
    routes['PUT /api/roles/admin'] = apiError(409, 'last_admin', 'this would leave no active account that can manage roles')
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    await user.click(box('Grant ward.view to Administrator'))
    await user.click(screen.getByRole('button', { name: 'Save Administrator' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/no active account could manage roles/)
  })

  it('creates a role on a kind starting from nothing, and its column appears', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    await user.click(screen.getByRole('button', { name: 'Create role' }))
    expect(screen.getByText(/Type the role’s name/)).toBeTruthy()
    await user.type(screen.getByLabelText('Name'), 'Lab technician')
    await user.selectOptions(screen.getByLabelText('Kind'), 'staff')
    expect(screen.getByText(/Hospital staff/)).toBeTruthy()
    await user.click(screen.getByRole('radio', { name: 'Nothing' }))
    await user.click(screen.getByRole('button', { name: 'Create role' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Lab technician', kind: 'staff', grants: [] })
    expect(await screen.findByRole('checkbox', { name: 'Grant chart.read to Lab technician' })).toBeTruthy()
  })

  it('shows a name taken in words', async () => {
    routes['POST /api/roles'] = apiError(409, 'role_exists', 'a role with this name already exists')
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await user.type(screen.getByLabelText('Name'), 'Nurse')
    await user.click(screen.getByRole('button', { name: 'Create role' }))
    expect(await screen.findByText('A role named Nurse exists already: choose another name.')).toBeTruthy()
  })

  it('deletes a custom role no account holds, after a confirmation', async () => {
    const user = userEvent.setup()
    renderLive(new FakeLive(), <Roles />)
    await screen.findByTestId('roles-matrix')
    // Built-in roles and roles someone holds offer no Delete.
    expect(screen.queryByRole('button', { name: 'Delete Staff' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Delete Nurse' }))
    const dialog = await screen.findByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Delete role' }))
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true))
    expect(calls.find((c) => c.method === 'DELETE')?.query.get('revision')).toBe('4')
    await waitFor(() => expect(screen.queryByRole('checkbox', { name: 'Grant ward.view to Nurse' })).toBeNull())
  })
})
