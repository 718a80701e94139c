import { useState } from 'react'
import { api, type User } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Page } from '../components/Page'
import { Pager } from '../components/Pager'
import { Roles } from '../components/Roles'
import { Table } from '../components/Table'
import { Time } from '../components/Time'
import { useAction } from '../components/use-action'
import { useData } from '../components/use-data'
import { useSession } from '../session'

const LIMIT = 50

/** Administration: every account, with activation and the admin role (PATCH /user/{id}, fresh). */
export function UsersPage() {
  const [offset, setOffset] = useState(0)
  const users = useData(() => api((c) => c.GET('/users', { params: { query: { limit: LIMIT, offset } } })), String(offset))
  return (
    <Page title="Users" intro="Deactivating an account ends its sessions at once. The last active admin stays an admin.">
      <ErrorAlert error={users.error} />
      {users.data ? (
        <Table caption="Accounts" columns={['Username', 'Email', 'Roles', 'Status', 'Since', { label: 'Actions', hidden: true }]}>
          {users.data.data.map((user) => (
            <UserRow key={user.id} user={user} onChanged={users.reload} />
          ))}
        </Table>
      ) : null}
      {users.data ? <Pager total={users.data.total} limit={LIMIT} offset={offset} onPage={setOffset} /> : null}
    </Page>
  )
}

function UserRow({ user, onChanged }: { user: User; onChanged: () => Promise<void> }) {
  const session = useSession()
  const { busy, error, run } = useAction()
  const patch = async (body: { roles?: string[]; is_active?: boolean }) => {
    const ok = await run(async () => (await api((c) => c.PATCH('/user/{id}', { params: { path: { id: user.id } }, body }))).error)
    if (!ok) return
    await onChanged()
    // A change to one's own account shows in the header and the menu at once.
    if (user.id === session.user?.id) await session.reload()
  }
  const admin = user.roles.includes('admin')
  const roles = admin ? user.roles.filter((r) => r !== 'admin') : ['admin', ...user.roles]
  return (
    <tr>
      <th scope="row">{user.username}</th>
      <td>{user.email ?? '—'}</td>
      <td>
        <Roles roles={user.roles} />
      </td>
      <td>{user.is_active ? 'active' : 'deactivated'}</td>
      <td>
        <Time value={user.created_at} />
      </td>
      <td className="buttons">
        <button type="button" className="secondary" disabled={busy} onClick={() => patch({ is_active: !user.is_active })}>
          {user.is_active ? 'Deactivate' : 'Activate'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => patch({ roles })}>
          {admin ? 'Remove admin' : 'Make admin'}
        </button>
        <ErrorAlert error={error} />
      </td>
    </tr>
  )
}
