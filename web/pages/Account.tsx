import { api } from '../api'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { useForm } from '../components/use-action'
import { useSession } from '../session'
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
  const { busy, error, done, onSubmit } = useForm(async (values) => {
    const body = { current_password: String(values.get('current_password')), new_password: String(values.get('new_password')) }
    const { data, error } = await api((c) => c.PUT('/me/password', { body }))
    return { error, done: data?.message }
  })
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="change-password">
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

/** PUT /me/email (fresh): the new address gets a verification mail, the old one a notice. */
function ChangeEmail() {
  const { user, reload } = useSession()
  const { busy, error, done, onSubmit } = useForm(async (values) => {
    const body = { email: String(values.get('email')).trim(), current_password: String(values.get('current_password')) }
    const { error } = await api((c) => c.PUT('/me/email', { body }))
    if (error) return { error }
    await reload()
    return { done: `Check your inbox at ${body.email}: a link there verifies the new address.` }
  })
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="change-email">
      <h2 id="change-email">Change email</h2>
      <p className="hint">Now: {user?.email ?? 'none'}. The new address needs verifying; the old one is told of the change.</p>
      <ErrorAlert error={error} />
      <Notice>{done}</Notice>
      <Field label="Email" name="email" type="email" autoComplete="email" required />
      <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required />
      <Submit busy={busy} label="Change email" />
    </form>
  )
}
