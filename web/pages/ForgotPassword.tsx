import { api } from '../api'
import { ErrorAlert, Notice } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { Submit } from '../components/Submit'
import { useForm } from '../components/use-action'

/** POST /password/forgot: the same answer whether or not an account has the address. */
export function ForgotPasswordPage() {
  const { busy, error, done, onSubmit } = useForm(async (values) => {
    const email = String(values.get('email')).trim()
    const { data, error } = await api((c) => c.POST('/password/forgot', { body: { email } }))
    return { error, done: data?.message }
  })
  return (
    <Page title="Forgot your password?" intro="Give the email address of your account: a link to set a new password is on its way if an account has it.">
      <form className="card narrow" onSubmit={onSubmit} aria-label="Send a reset link">
        <ErrorAlert error={error} />
        <Notice>{done}</Notice>
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
        <Submit busy={busy} label="Send reset link" />
      </form>
    </Page>
  )
}
