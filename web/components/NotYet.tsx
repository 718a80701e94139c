import { useState, type FormEvent, type ReactNode } from 'react'
import { Notice } from './ErrorAlert'
import { Submit } from './Submit'

/**
 * A form whose API route this server does not offer yet (the account-lifecycle routes: email
 * verification, password reset, email change): its fields and button are in place, and sending
 * it says so instead of calling the API.
 */
export function NotYet({ title, id, action, what, children }: { title: string; id: string; action: string; what: string; children: ReactNode }) {
  const [said, setSaid] = useState<string>()
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSaid(`${what} is not available on this server yet.`)
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <Notice>{said}</Notice>
      {children}
      <Submit label={action} />
    </form>
  )
}
