import { useState, type FormEvent } from 'react'
import { api } from '../api'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { useAction } from '../components/use-action'
import { NotYet } from '../components/NotYet'
import { Submit } from '../components/Submit'

export function AccountPage() {
  return (
    <Page title="Account" intro="Your password and your email address.">
      <div className="columns">
        <ChangePassword />
        <ChangeEmail />
      </div>
    </Page>
  )
}

/** PUT /me/password (a fresh token: the dialog may ask for the password first). */
function ChangePassword() {
  const { busy, error, run } = useAction()
  const [done, setDone] = useState<string>()
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setDone(undefined)
    const form = event.currentTarget
    const values = new FormData(form)
    const body = { current_password: String(values.get('current_password')), new_password: String(values.get('new_password')) }
    const ok = await run(async () => {
      const { data, error } = await api((c) => c.PUT('/me/password', { body }))
      setDone(data?.message)
      return error
    })
    if (ok) form.reset()
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="change-password">
      <h2 id="change-password">Change password</h2>
      <p className="hint">Every other session of your account ends; this one stays.</p>
      <ErrorAlert error={error} />
      <Notice>{done}</Notice>
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required />
      <Field label="New password" name="new_password" type="password" autoComplete="new-password" minLength={8} maxLength={128} hint="At least 8 characters." required />
      <Submit busy={busy} label="Change password" />
    </form>
  )
}

/**
 * Stub until PUT /me/email is in openapi.yaml (the account-lifecycle routes are built
 * separately): the form is here, with its fields, and says that the change is not available yet.
 */
function ChangeEmail() {
  return (
    <NotYet title="Change email" id="change-email" action="Change email" what="Changing the email address">
      <Field label="Email" name="email" type="email" autoComplete="email" required />
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required />
    </NotYet>
  )
}
