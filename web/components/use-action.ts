import { useCallback, useState, type FormEvent } from 'react'
import { UNREACHABLE, type ApiError } from '../api'

/**
 * A form's submission: `run` calls the API and resolves with whether it worked; `busy` disables
 * the button meanwhile, `error` is the API's error to show in the alert.
 */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>()
  const run = useCallback(async (action: () => Promise<ApiError | undefined>) => {
    setBusy(true)
    setError(undefined)
    const failed = await action().catch(() => UNREACHABLE)
    setError(failed)
    setBusy(false)
    return !failed
  }, [])
  return { busy, error, run }
}

/**
 * A form that stays on its page: `onSubmit` gives `action` the form's fields; once it worked the
 * form is emptied and `done` is the message it returned, to show beside it.
 */
export function useForm(action: (values: FormData) => Promise<{ error?: ApiError | undefined; done?: string | undefined }>) {
  const { busy, error, run } = useAction()
  const [done, setDone] = useState<string>()
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    setDone(undefined)
    let message: string | undefined
    const ok = await run(async () => {
      const result = await action(new FormData(form))
      message = result.done
      return result.error
    })
    if (!ok) return
    form.reset()
    setDone(message)
  }
  return { busy, error, done, onSubmit }
}
