import { api, type Session } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Page } from '../components/Page'
import { Table } from '../components/Table'
import { Time } from '../components/Time'
import { useAction } from '../components/use-action'
import { useData } from '../components/use-data'
import { useSession } from '../session'

/** A browser's name from its User-Agent, enough to tell sessions apart. */
function device(agent: string | null) {
  if (!agent) return 'Unknown device'
  const browser = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(agent)?.[0]?.replace('Edg', 'Edge') ?? 'A client'
  const system = /\(([^;)]+)/.exec(agent)?.[1] ?? ''
  return system ? `${browser} on ${system}` : browser
}

export function SessionsPage() {
  const { logOut } = useSession()
  const sessions = useData(() => api((c) => c.GET('/me/sessions', { params: { query: { limit: 100 } } })), '')
  const everywhere = useAction()

  return (
    <Page title="Sessions" intro="Every place your account is logged in. End the ones you do not recognise.">
      <ErrorAlert error={sessions.error} />
      {sessions.data ? (
        <Table caption="Your active sessions" columns={['Device', 'Logged in', 'Last used', 'Ends', { label: 'Action', hidden: true }]}>
          {sessions.data.data.map((session) => (
            <SessionRow key={session.id} session={session} onEnded={sessions.reload} />
          ))}
        </Table>
      ) : null}
      <section className="danger" aria-labelledby="everywhere">
        <h2 id="everywhere">Lost a device?</h2>
        <p>Ends every session of your account, this one included.</p>
        <ErrorAlert error={everywhere.error} />
        <button type="button" className="danger" disabled={everywhere.busy} onClick={() => everywhere.run(() => logOut(true))}>
          Log out everywhere
        </button>
      </section>
    </Page>
  )
}

function SessionRow({ session, onEnded }: { session: Session; onEnded: () => Promise<void> }) {
  const { busy, error, run } = useAction()
  const end = async () => {
    const ok = await run(async () => (await api((c) => c.DELETE('/me/sessions/{sid}', { params: { path: { sid: session.id } } }))).error)
    if (ok) await onEnded()
  }
  return (
    <tr>
      <td>
        {device(session.user_agent)}
        {session.current ? <span className="badge">This session</span> : null}
      </td>
      <td>
        <Time value={session.created_at} />
      </td>
      <td>
        <Time value={session.last_used_at} />
      </td>
      <td>
        <Time value={session.expires_at} />
      </td>
      <td>
        {session.current ? null : (
          <button type="button" className="secondary" disabled={busy} onClick={end}>
            End session
          </button>
        )}
        <ErrorAlert error={error} />
      </td>
    </tr>
  )
}
