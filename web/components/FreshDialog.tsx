import { useEffect, useRef, useState, type FormEvent } from 'react'
import { setPasswordPrompt, type ApiError } from '../api'
import { useSession } from '../session'
import { ErrorAlert } from './ErrorAlert'
import { Field } from './Field'
import { Submit } from './Submit'

type Ask = { confirm: (password: string) => Promise<ApiError | undefined>; done: (ok: boolean) => void }

/**
 * The fresh-token step (api.ts): a change that needs a fresh token opens this dialog; the
 * password logs in again, and the change is retried. Cancel gives the change up.
 */
export function FreshDialog() {
  const { user } = useSession()
  const [ask, setAsk] = useState<Ask | null>(null)
  const [error, setError] = useState<ApiError | undefined>()
  const [busy, setBusy] = useState(false)
  const dialog = useRef<HTMLDialogElement>(null)
  const username = useRef(user?.username)
  username.current = user?.username

  useEffect(
    () => setPasswordPrompt((confirm) => new Promise<boolean>((done) => setAsk({ confirm, done })), () => username.current),
    [],
  )
  useEffect(() => {
    if (ask && !dialog.current?.open) dialog.current?.showModal()
    if (!ask) dialog.current?.close()
  }, [ask])

  const finish = (ok: boolean) => {
    ask?.done(ok)
    setAsk(null)
    setError(undefined)
  }
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!ask) return
    const form = event.currentTarget
    setBusy(true)
    const failed = await ask.confirm(new FormData(form).get('password')?.toString() ?? '')
    setBusy(false)
    if (failed) return setError(failed)
    form.reset()
    finish(true)
  }

  return (
    <dialog ref={dialog} aria-labelledby="fresh-title" aria-describedby="fresh-why" onCancel={() => finish(false)}>
      {ask ? (
        <form onSubmit={submit}>
          <h2 id="fresh-title">Confirm it’s you</h2>
          <p id="fresh-why">This change needs your password again{user ? `, ${user.username}` : ''}.</p>
          <ErrorAlert error={error} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required autoFocus />
          <Submit busy={busy} label="Confirm">
            <button type="button" className="secondary" onClick={() => finish(false)}>
              Cancel
            </button>
          </Submit>
        </form>
      ) : null}
    </dialog>
  )
}
