import { useState } from 'react'
import { api } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { ItemTable } from '../components/ItemTable'
import { Page } from '../components/Page'
import { Pager } from '../components/Pager'
import { useData } from '../components/use-data'
import { Link } from '../router'

const LIMIT = 20

/** GET /item and, to name each item's store, GET /store (one page of up to 100). */
async function loadItems(query: { limit: number; offset: number; name?: string }) {
  const [items, stores] = await Promise.all([
    api((c) => c.GET('/item', { params: { query } })),
    api((c) => c.GET('/store', { params: { query: { limit: 100 } } })),
  ])
  const storeNames = new Map(stores.data?.data.map((s) => [s.id, s.name]))
  return { data: items.data && { page: items.data, storeNames }, error: items.error }
}

/** Every item: names only for anonymous visitors (with the API's message), prices once logged in. */
export function ItemsPage() {
  const [offset, setOffset] = useState(0)
  const [name, setName] = useState('')
  const query = { limit: LIMIT, offset, ...(name ? { name } : {}) }
  const items = useData(() => loadItems(query), JSON.stringify(query))
  const page = items.data?.page

  return (
    <Page title="Items" intro="Everything on every shelf.">
      <div className="toolbar">
        <Field
          label="Search"
          type="search"
          value={name}
          placeholder="Part of a name"
          onChange={(e) => {
            setName(e.target.value)
            setOffset(0)
          }}
        />
      </div>
      <ErrorAlert error={items.error} />
      {page && 'message' in page ? (
        <>
          <p className="notice">{page.message}</p>
          <ul className="names" aria-label="Items">
            {page.data.map((item) => (
              <li key={item.id}>{item.name}</li>
            ))}
          </ul>
        </>
      ) : page ? (
        <ItemTable
          caption="Items and their prices"
          items={page.data}
          store={(item) => <Link to={`/stores/${item.store_id}`}>{items.data?.storeNames.get(item.store_id) ?? `Store ${item.store_id}`}</Link>}
        />
      ) : null}
      {page && page.data.length === 0 ? <p className="empty">{name ? 'No item has that in its name.' : 'No items yet.'}</p> : null}
      {page ? <Pager total={page.total} limit={LIMIT} offset={offset} onPage={setOffset} /> : null}
    </Page>
  )
}
