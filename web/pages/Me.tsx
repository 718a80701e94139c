import { Page } from '../components/Page'
import { Roles } from '../components/Roles'
import { useUser } from '../session'
import { Time } from '../components/Time'

/** The protected page: who is logged in. */
export function MePage() {
  const user = useUser()
  return (
    <Page title="Your profile">
      <dl className="card facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? 'none given'}</dd>
        <dt>Roles</dt>
        <dd>
          <Roles roles={user.roles} />
        </dd>
        <dt>Status</dt>
        <dd>{user.is_active ? 'active' : 'deactivated'}</dd>
        <dt>Member since</dt>
        <dd>
          <Time value={user.created_at} />
        </dd>
      </dl>
    </Page>
  )
}
