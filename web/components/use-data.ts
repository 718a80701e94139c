import { useCallback, useEffect, useRef, useState } from 'react'
import { UNREACHABLE, type ApiError } from '../api'

type Loaded<T> = { data?: T | undefined; error?: ApiError | undefined }

/**
 * What a page shows, loaded from the API when the page opens and whenever `key` changes (a page
 * number, an id); `reload` loads it again after a change. Only the latest load is shown.
 */
export function useData<T>(load: () => Promise<Loaded<T>>, key: string) {
  const [state, setState] = useState<Loaded<T> & { loading: boolean }>({ loading: true })
  const latest = useRef(0)
  const loadRef = useRef(load)
  loadRef.current = load
  const reload = useCallback(async () => {
    const mine = ++latest.current
    const result = await loadRef.current().catch(() => ({ data: undefined, error: UNREACHABLE }))
    if (mine === latest.current) setState({ data: result.data, error: result.error, loading: false })
  }, [])
  useEffect(() => {
    setState((s) => ({ ...s, loading: true }))
    void reload()
  }, [key, reload])
  return { ...state, reload }
}
