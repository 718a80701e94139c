import { useState } from 'react'
import { api } from '../api'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Page } from '../components/Page'
import { Roles } from '../components/Roles'
import { Time } from '../components/Time'
import { useAction } from '../components/use-action'
import { useUser } from '../session'

/** The protected page: who is logged in, and whether their email is verified. */
export function MePage() {
  const user = useUser()
  return (
    <Page title="Your profile">
      <dl className="card facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? 'none given'}</dd>
        {user.email ? (
          <>
            <dt>Email verified</dt>
            <dd>{user.email_verified ? 'yes' : <Unverified />}</dd>
          </>
        ) : null}
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

/** Not verified yet: POST /email/verify/resend mails a new link (voiding the older ones). */
function Unverified() {
  const { busy, error, run } = useAction()
  const [sent, setSent] = useState<string>()
  const resend = () =>
    run(async () => {
      const { data, error } = await api((c) => c.POST('/email/verify/resend'))
      setSent(data?.message)
      return error
    })
  return (
    <>
      no{' '}
      <button type="button" className="secondary" disabled={busy} onClick={() => void resend()}>
        Send a new link
      </button>
      <ErrorAlert error={error} />
      <Notice>{sent}</Notice>
    </>
  )
}
