import { useEffect, type ReactNode } from 'react'
import { currentPath, navigate } from '../router'
import { useSession } from '../session'

/** A page for logged-in people (admins with `admin`): anyone else is taken to the login page. */
export function RequireUser({ admin = false, children }: { admin?: boolean; children: ReactNode }) {
  const { user, ready } = useSession()
  useEffect(() => {
    if (ready && !user) navigate(`/login?next=${encodeURIComponent(currentPath())}`, { replace: true })
  }, [ready, user])
  if (!ready || !user) return <p className="loading">Loading…</p>
  if (admin && !user.is_admin) return <p className="notice">This page is for administrators.</p>
  return <>{children}</>
}
