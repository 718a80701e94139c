import { useEffect, useRef, useState } from 'react'
import { api, type ApiError } from '../api'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Page } from '../components/Page'
import { Link, usePlace } from '../router'
import { useSession } from '../session'

/** Where the verification mail's link lands (?token=): POST /email/verify, once, on arrival. */
export function VerifyEmailPage() {
  const token = usePlace().query.get('token') ?? ''
  const { user, reload } = useSession()
  const [result, setResult] = useState<{ email?: string | null; error?: ApiError }>()
  // A link works once: a re-render (or React's development double run) must not send it twice.
  const sent = useRef(false)
  useEffect(() => {
    if (sent.current || !token) return
    sent.current = true
    void api((c) => c.POST('/email/verify', { body: { token } })).then(async ({ data, error }) => {
      setResult({ email: data?.email, error })
      if (data && user) await reload()
    })
  }, [token, user, reload])

  return (
    <Page title="Verify your email">
      {!token ? <p className="intro">This link is incomplete: open the one in the mail again.</p> : null}
      {token && !result ? <p className="loading">Checking the link…</p> : null}
      {result?.error ? <ErrorAlert error={result.error} /> : null}
      {result && !result.error ? <Notice>{`Your email address ${result.email ?? ''} is verified.`}</Notice> : null}
      {result?.error && user ? <p className="aside">Your profile can send you a new link.</p> : null}
      {result && !result.error ? <Link to={user ? '/me' : '/login'}>{user ? 'Back to your profile' : 'Go to the login page'}</Link> : null}
    </Page>
  )
}
