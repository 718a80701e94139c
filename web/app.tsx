// The shell: header with the menu and who is logged in, the page for the current path, and
// the fresh-token dialog that any page's change may open.
import type { ReactNode } from 'react'
import { FreshDialog } from './components/FreshDialog'
import { RequireUser } from './components/RequireUser'
import { AccountPage } from './pages/Account'
import { ForgotPasswordPage } from './pages/ForgotPassword'
import { HomePage } from './pages/Home'
import { ItemsPage } from './pages/Items'
import { LoginPage } from './pages/Login'
import { MePage } from './pages/Me'
import { NotFoundPage } from './pages/NotFound'
import { RegisterPage } from './pages/Register'
import { ResetPasswordPage } from './pages/ResetPassword'
import { SessionsPage } from './pages/Sessions'
import { StorePage } from './pages/Store'
import { StoresPage } from './pages/Stores'
import { UsersPage } from './pages/Users'
import { VerifyEmailPage } from './pages/VerifyEmail'
import { Link, usePlace } from './router'
import { SessionProvider, useSession } from './session'

type Route = { page: () => ReactNode; for?: 'user' | 'admin' }

const PAGES: Record<string, Route> = {
  '/': { page: HomePage },
  '/login': { page: LoginPage },
  '/register': { page: RegisterPage },
  '/me': { page: MePage, for: 'user' },
  '/stores': { page: StoresPage },
  '/items': { page: ItemsPage },
  '/sessions': { page: SessionsPage, for: 'user' },
  '/account': { page: AccountPage, for: 'user' },
  '/forgot-password': { page: ForgotPasswordPage },
  '/reset-password': { page: ResetPasswordPage },
  '/verify-email': { page: VerifyEmailPage },
  '/users': { page: UsersPage, for: 'admin' },
}

function pageFor(path: string): ReactNode {
  const store = /^\/stores\/([1-9][0-9]{0,9})$/.exec(path)
  if (store) return <StorePage key={store[1]} id={Number(store[1])} />
  const route = PAGES[path]
  if (!route) return <NotFoundPage />
  const Page = route.page
  return route.for ? (
    <RequireUser admin={route.for === 'admin'}>
      <Page />
    </RequireUser>
  ) : (
    <Page />
  )
}

function MenuLink({ to, children }: { to: string; children: string }) {
  const { path } = usePlace()
  const current = path === to || path.startsWith(`${to}/`)
  return (
    <li>
      <Link to={to} aria-current={current ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  )
}

function Header() {
  const { user, ready, logOut } = useSession()
  return (
    <header className="site">
      <div className="bar">
        <Link to="/" className="brand">
          Shopfront
        </Link>
        <nav aria-label="Main">
          <ul>
            <MenuLink to="/stores">Stores</MenuLink>
            <MenuLink to="/items">Items</MenuLink>
            {user ? <MenuLink to="/sessions">Sessions</MenuLink> : null}
            {user ? <MenuLink to="/account">Account</MenuLink> : null}
            {user?.is_admin ? <MenuLink to="/users">Users</MenuLink> : null}
          </ul>
        </nav>
        <div className="who">
          {!ready ? null : user ? (
            <>
              <Link to="/me" className="username" title="Your profile">
                {user.username}
              </Link>
              <button type="button" className="secondary" onClick={() => void logOut()}>
                Log out
              </button>
            </>
          ) : (
            <>
              <Link to="/login">Log in</Link>
              <Link to="/register" className="button">
                Register
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  )
}

/** The page, once the app knows who is logged in (a page's calls depend on it). */
function Main() {
  const { path } = usePlace()
  const { ready } = useSession()
  return <main>{ready ? pageFor(path) : <p className="loading">Loading…</p>}</main>
}

export function App() {
  return (
    <SessionProvider>
      <Header />
      <Main />
      <footer className="site">
        Shopfront runs on the Stores API: <a href="/docs">its documentation</a>.
      </footer>
      <FreshDialog />
    </SessionProvider>
  )
}
