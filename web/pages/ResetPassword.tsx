import type { FormEvent } from 'react'
import { api } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { Submit } from '../components/Submit'
import { useAction } from '../components/use-action'
import { Link, navigate, usePlace } from '../router'
import { useSession } from '../session'

/** Where the reset mail's link lands (?token=): POST /password/reset, then the login page. */
export function ResetPasswordPage() {
  const token = usePlace().query.get('token') ?? ''
  const { user, reload } = useSession()
  const { busy, error, run } = useAction()
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const new_password = String(new FormData(event.currentTarget).get('new_password'))
    let message: string | undefined
    const ok = await run(async () => {
      const { data, error } = await api((c) => c.POST('/password/reset', { body: { token, new_password } }))
      message = data?.message
      return error
    })
    if (!ok) return
    // Every session of the account was ended: this browser's too, if it was logged in.
    if (user) await reload()
    navigate('/login', { replace: true, notice: message })
  }
  if (!token) {
    return (
      <Page title="Set a new password" intro="This link is incomplete: open the one in the mail again, or ask for a new one.">
        <Link to="/forgot-password">Ask for a new link</Link>
      </Page>
    )
  }
  return (
    <Page title="Set a new password" intro="Choose a new password. Every session of your account ends: log in again with it.">
      <form className="card narrow" onSubmit={submit} aria-label="Password reset">
        <ErrorAlert error={error} />
        <Field label="New password" name="new_password" type="password" autoComplete="new-password" minLength={8} maxLength={128} hint="At least 8 characters." required autoFocus />
        <Submit busy={busy} label="Set new password">
          {error?.code === 'invalid_link' ? <Link to="/forgot-password">Ask for a new link</Link> : null}
        </Submit>
      </form>
    </Page>
  )
}
