import { api } from '../api'
import { Page } from '../components/Page'
import { useData } from '../components/use-data'
import { Link } from '../router'
import { useSession } from '../session'

/** How many stores and items there are: one row of each list is enough to read its total. */
async function totals() {
  const [stores, items] = await Promise.all([
    api((c) => c.GET('/store', { params: { query: { limit: 1 } } })),
    api((c) => c.GET('/item', { params: { query: { limit: 1 } } })),
  ])
  return { data: { stores: stores.data?.total ?? 0, items: items.data?.total ?? 0 }, error: stores.error ?? items.error }
}

export function HomePage() {
  const { user } = useSession()
  const { data } = useData(totals, user?.username ?? '')

  return (
    <Page title={user ? `Welcome back, ${user.username}` : 'Every store, every shelf'}>
      <p className="lead">
        {user
          ? 'Open a store, stock it with items and keep an eye on who is signed in to your account.'
          : 'Shopfront lists stores and what they sell. Anyone can look around; log in to see prices and to open a store of your own.'}
      </p>
      {data ? (
        <ul className="stats" aria-label="At a glance">
          <li>
            <strong>{data.stores}</strong> {data.stores === 1 ? 'store' : 'stores'} open
          </li>
          <li>
            <strong>{data.items}</strong> {data.items === 1 ? 'item' : 'items'} on the shelves
          </li>
        </ul>
      ) : null}
      {user ? null : (
        <>
          <ul className="features" aria-label="What you can do">
            <li>
              <h2>Browse every shelf</h2>
              <p>Look through the stores and what they sell, no account needed.</p>
            </li>
            <li>
              <h2>See what things cost</h2>
              <p>Logged in, every item shows its price, to the cent.</p>
            </li>
            <li>
              <h2>Open your own store</h2>
              <p>Name it, stock it, and keep an eye on where your account is signed in.</p>
            </li>
          </ul>
          <p className="actions">
            <Link to="/register" className="button">
              Get started
            </Link>
            <Link to="/stores" className="button secondary">
              Look around
            </Link>
          </p>
        </>
      )}
    </Page>
  )
}
