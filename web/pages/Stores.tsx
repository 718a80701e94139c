import { useState, type FormEvent } from 'react'
import { api } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { Pager } from '../components/Pager'
import { Time } from '../components/Time'
import { useAction } from '../components/use-action'
import { useData } from '../components/use-data'
import { Link, navigate } from '../router'
import { useSession } from '../session'
import { Submit } from '../components/Submit'

const LIMIT = 20

export function StoresPage() {
  const { user } = useSession()
  const [offset, setOffset] = useState(0)
  const [name, setName] = useState('')
  const query = { limit: LIMIT, offset, ...(name ? { name } : {}) }
  const stores = useData(() => api((c) => c.GET('/store', { params: { query } })), JSON.stringify(query))

  return (
    <Page title="Stores" intro="Every store on Shopfront. Open one to see what it sells.">
      <div className="toolbar">
        <Field label="Search" type="search" value={name} onChange={(e) => {
            setName(e.target.value)
            setOffset(0)
          }} placeholder="Part of a name" />
      </div>
      <ErrorAlert error={stores.error} />
      {stores.data ? (
        stores.data.data.length ? (
          <ul className="cards" aria-label="Stores">
            {stores.data.data.map((store) => (
              <li key={store.id} className="card">
                <Link to={`/stores/${store.id}`}>{store.name}</Link>
                <small>
                  Opened <Time value={store.created_at} />
                </small>
              </li>
            ))}
          </ul>
        ) : (
          <p className="empty">{name ? 'No store has that in its name.' : 'No stores yet.'}</p>
        )
      ) : null}
      {stores.data ? <Pager total={stores.data.total} limit={LIMIT} offset={offset} onPage={setOffset} /> : null}
      {user ? <NewStore /> : <p className="aside">Log in to open a store of your own.</p>}
    </Page>
  )
}

/** POST /store, then the new store's page (where its items are added). */
function NewStore() {
  const { busy, error, run } = useAction()
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const name = String(new FormData(event.currentTarget).get('name')).trim()
    let id: number | undefined
    const ok = await run(async () => {
      const { data, error } = await api((c) => c.POST('/store', { body: { name } }))
      id = data?.id
      return error
    })
    if (ok && id !== undefined) navigate(`/stores/${id}`)
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-store">
      <h2 id="new-store">Open a store</h2>
      <ErrorAlert error={error} />
      <Field label="Store name" name="name" maxLength={80} required />
      <Submit busy={busy} label="Create store" />
    </form>
  )
}
