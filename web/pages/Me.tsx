import { Page } from '../components/Page'
import { RequireUser } from '../components/RequireUser'
import { useSession } from '../session'
import { Time } from '../components/Time'

/** The protected page: who is logged in. */
export function MePage() {
  return (
    <RequireUser>
      <Profile />
    </RequireUser>
  )
}

function Profile() {
  const { user } = useSession()
  if (!user) return null
  return (
    <Page title="Your profile">
      <dl className="card facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? 'none given'}</dd>
        <dt>Roles</dt>
        <dd>
          {user.roles.map((role) => (
            <span key={role} className="badge">
              {role}
            </span>
          ))}
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
