import type { FormEvent } from 'react'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { useAction } from '../components/use-action'
import { Link, navigate, usePlace } from '../router'
import { useSession } from '../session'
import { Submit } from '../components/Submit'

/** Where to go after logging in: the page that sent here (a path of this app only), else home. */
function nextPath(query: URLSearchParams) {
  const next = query.get('next') ?? '/'
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}

export function LoginPage() {
  const { logIn } = useSession()
  const { query, notice } = usePlace()
  const { busy, error, run } = useAction()

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const ok = await run(() => logIn(String(form.get('username')), String(form.get('password'))))
    if (ok) navigate(nextPath(query), { replace: true })
  }

  return (
    <Page title="Log in" intro="Welcome back. Log in to see prices, add stores and items, and manage your account.">
      <Notice>{notice}</Notice>
      <form className="card narrow" onSubmit={submit} aria-label="Log in">
        <ErrorAlert error={error} />
        <Field label="Username" name="username" autoComplete="username" hint="Or the email address of your account." required autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Submit busy={busy} label="Log in">
          <Link to="/forgot-password">Forgot password?</Link>
        </Submit>
      </form>
      <p className="aside">
        New here? <Link to="/register">Sign up</Link> in a minute.
      </p>
    </Page>
  )
}
