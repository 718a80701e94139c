import type { FormEvent } from 'react'
import { api } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { useAction } from '../components/use-action'
import { navigate } from '../router'
import { Submit } from '../components/Submit'

export function RegisterPage() {
  const { busy, error, run } = useAction()

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const email = String(form.get('email') ?? '').trim()
    const body = { username: String(form.get('username')), password: String(form.get('password')), ...(email ? { email } : {}) }
    const ok = await run(async () => (await api((c) => c.POST('/register', { body }))).error)
    if (ok) navigate('/login', { notice: `Your account ${body.username} is ready: log in with it.` })
  }

  return (
    <Page title="Create your account" intro="One account to browse prices, open stores and list their items.">
      <form className="card narrow" onSubmit={submit} aria-label="Register">
        <ErrorAlert error={error} />
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          hint="3 to 80 letters, digits, dots, dashes or underscores."
          minLength={3}
          maxLength={80}
          pattern="[A-Za-z0-9_.\-]+"
          required
          autoFocus
        />
        <Field label="Email" name="email" type="email" autoComplete="email" hint="Optional: lets you reset a forgotten password." />
        <Field label="Password" name="password" type="password" autoComplete="new-password" hint="At least 8 characters." minLength={8} maxLength={128} required />
        <Submit busy={busy} label="Register" />
      </form>
    </Page>
  )
}
