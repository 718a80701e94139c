// The logged-in user as React context: loaded once at start (GET /me when this browser has a
// session), set by logging in, cleared by logging out or when the API says the session is over.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { api, hasSession, logIn as logInCall, onSessionEnded, type ApiError, type User } from './api'
import { currentPath, navigate } from './router'

interface SessionValue {
  /** The logged-in user; null when anonymous. */
  user: User | null
  /** False until the start-up GET /me has answered. */
  ready: boolean
  logIn(username: string, password: string): Promise<ApiError | undefined>
  /** POST /logout, or /logout/all with `everywhere`; then the login page. */
  logOut(everywhere?: boolean): Promise<ApiError | undefined>
  /** Loads the user again (after a change to the account). */
  reload(): Promise<void>
}

const SessionContext = createContext<SessionValue | null>(null)

async function loadUser(): Promise<User | null> {
  if (!hasSession()) return null
  const { data } = await api((c) => c.GET('/me'))
  return data ?? null
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null)
  const [ready, setReady] = useState(false)
  const userRef = useRef(user)
  userRef.current = user

  const reload = useCallback(async () => setUser(await loadUser()), [])

  useEffect(() => {
    void reload().finally(() => setReady(true))
    return onSessionEnded(() => {
      if (!userRef.current) return
      // Several calls may report the end at once: one navigation to the login page.
      userRef.current = null
      setUser(null)
      navigate(`/login?next=${encodeURIComponent(currentPath())}`, { notice: 'Your session has ended. Log in again to go on.' })
    })
  }, [reload])

  const logIn = useCallback(async (username: string, password: string) => {
    const error = await logInCall(username, password)
    if (!error) await reload()
    return error
  }, [reload])

  const logOut = useCallback(async (everywhere = false) => {
    const { error } = await api((c) => c.POST(everywhere ? '/logout/all' : '/logout'))
    if (error) return error
    setUser(null)
    navigate('/login', { notice: everywhere ? 'You are logged out of every session.' : 'You are logged out.' })
    return undefined
  }, [])

  const value = useMemo(() => ({ user, ready, logIn, logOut, reload }), [user, ready, logIn, logOut, reload])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession needs a SessionProvider above it')
  return session
}

/** The logged-in user, on a page the route table keeps for logged-in people (RequireUser). */
export function useUser(): User {
  const { user } = useSession()
  if (!user) throw new Error('useUser is for pages behind RequireUser')
  return user
}
