import type { FormEvent } from 'react'
import { api } from '../api'
import { ErrorAlert } from '../components/ErrorAlert'
import { Field } from '../components/Field'
import { ItemTable } from '../components/ItemTable'
import { Page } from '../components/Page'
import { Time } from '../components/Time'
import { useAction } from '../components/use-action'
import { useData } from '../components/use-data'
import { Link, navigate } from '../router'
import { useSession } from '../session'
import { Submit } from '../components/Submit'

/** One store: its items, the form that adds one (logged in), and its removal (admins). */
export function StorePage({ id }: { id: number }) {
  const { user } = useSession()
  const store = useData(() => api((c) => c.GET('/store/{id}', { params: { path: { id } } })), String(id))
  const found = store.data

  return (
    <Page title={found?.name ?? (store.error ? 'Store not found' : 'Store')}>
      <p>
        <Link to="/stores">← Back to the list</Link>
      </p>
      <ErrorAlert error={store.error} />
      {found ? (
        <>
          <p className="intro">
            Opened <Time value={found.created_at} />, {found.items.length} {found.items.length === 1 ? 'item' : 'items'}.
          </p>
          {found.items.length ? (
            <ItemTable caption={`What ${found.name} sells`} items={found.items} />
          ) : (
            <p className="empty">Nothing on the shelves yet.</p>
          )}
          {user ? <NewItem storeId={id} onCreated={store.reload} /> : <p className="aside">Log in to add items to this store.</p>}
          {user?.is_admin ? <DeleteStore id={id} name={found.name} /> : null}
        </>
      ) : null}
    </Page>
  )
}

/** POST /item into this store. */
function NewItem({ storeId, onCreated }: { storeId: number; onCreated: () => Promise<void> }) {
  const { busy, error, run } = useAction()
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const values = new FormData(form)
    const body = { name: String(values.get('name')).trim(), price: Number(values.get('price')), store_id: storeId }
    const ok = await run(async () => (await api((c) => c.POST('/item', { body }))).error)
    if (!ok) return
    form.reset()
    await onCreated()
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-item">
      <h2 id="new-item">Add an item</h2>
      <ErrorAlert error={error} />
      <div className="row">
        <Field label="Item name" name="name" maxLength={80} required />
        <Field label="Price" name="price" type="number" inputMode="decimal" min="0" max="999999999.99" step="0.01" required />
      </div>
      <Submit busy={busy} label="Create item" />
    </form>
  )
}

/** DELETE /store/{id}, with its items (admins only), then back to the list. */
function DeleteStore({ id, name }: { id: number; name: string }) {
  const { busy, error, run } = useAction()
  const remove = async () => {
    if (!window.confirm(`Delete ${name} and all of its items?`)) return
    const ok = await run(async () => (await api((c) => c.DELETE('/store/{id}', { params: { path: { id } } }))).error)
    if (ok) navigate('/stores')
  }
  return (
    <section className="danger" aria-labelledby="delete-store">
      <h2 id="delete-store">Administration</h2>
      <ErrorAlert error={error} />
      <button type="button" className="danger" disabled={busy} onClick={remove}>
        Delete store
      </button>
    </section>
  )
}
