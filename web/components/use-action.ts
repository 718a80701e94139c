import { useCallback, useState } from 'react'
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
