// New ids come from a counter of their own and skip ids already taken: no id a client picks with
// PUT /item/{id} can stop POST /item (or POST /store) for anyone, on SQLite and PostgreSQL alike.
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'
import { account, build, createItem, createStore, rawNumber, rawQuery } from './helper.js'

const MAX_ID = 2147483647

/** Makes the next id POST would try `id` (SQLite's id_counters, PostgreSQL's identity sequence). */
async function counterAt(app: App, table: 'items' | 'stores', next: number) {
  if (app.db.dialect === 'sqlite') {
    await rawQuery(app, sql`INSERT INTO id_counters (name, last_id) VALUES (${table}, ${next - 1}) ON CONFLICT (name) DO UPDATE SET last_id = ${next - 1}`)
  } else {
    await rawQuery(app, sql`SELECT setval(pg_get_serial_sequence(${table}, 'id')::regclass, ${next - 1})`)
  }
}

async function setup(t: Test) {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = await createStore(app, admin.headers, 'Corner Shop')
  const put = (id: number, name: string) =>
    app.inject({ method: 'PUT', url: `/item/${id}`, headers: admin.headers, payload: { name, price: 1, store_id: store.id } })
  const post = (name: string) => app.inject({ method: 'POST', url: '/item', headers: admin.headers, payload: { name, price: 1, store_id: store.id } })
  return { app, admin, store, put, post }
}

t.test('PUT /item/2147483647 leaves POST /item working, with the next free id', async (t) => {
  const { app, admin, store, put, post } = await setup(t)
  t.equal((await put(MAX_ID, 'Top')).statusCode, 201)
  const first = await post('Chair')
  t.equal(first.statusCode, 201)
  t.equal(first.json().id, 1, 'ids go on from the counter, not from the largest id')
  t.equal(first.headers.location, '/item/1')
  t.equal((await createItem(app, admin.headers, { name: 'Lamp', price: 2, store_id: store.id })).id, 2)
})

t.test('POST skips a run of ids PUT took, and continues after it', async (t) => {
  const { put, post } = await setup(t)
  for (const id of [1, 2, 3, 4, 5, 7]) t.equal((await put(id, `put-${id}`)).statusCode, 201, `PUT /item/${id}`)
  t.equal((await post('a')).json().id, 6, 'the first free id after the counter')
  t.equal((await post('b')).json().id, 8, 'then the next free one')
  t.equal((await post('c')).json().id, 9)
})

t.test('at the end of the range the counter wraps around to the first free id', async (t) => {
  const { app, put, post } = await setup(t)
  t.equal((await post('one')).json().id, 1)
  t.equal((await put(MAX_ID - 1, 'near the top')).statusCode, 201)
  t.equal((await put(MAX_ID, 'top')).statusCode, 201)
  await counterAt(app, 'items', MAX_ID - 1)
  const wrapped = await post('wrapped')
  t.equal(wrapped.statusCode, 201)
  t.equal(wrapped.json().id, 2, 'past the last id: the first free one from 1')
  t.equal((await post('next')).json().id, 3, 'and on from there')
})

t.test('stores take ids from their own counter too', async (t) => {
  const { app, admin } = await setup(t)
  await counterAt(app, 'stores', MAX_ID)
  t.equal((await createStore(app, admin.headers, 'At the top')).id, MAX_ID, 'the last id of the range')
  t.equal((await createStore(app, admin.headers, 'Wrapped')).id, 2, 'then from 1 again, skipping the taken 1')
})

t.test('concurrent POSTs and PUT-creates on the same ids: every request succeeds and every id is unique', async (t) => {
  const { app, admin, store, put, post } = await setup(t)
  const n = 25
  const replies = await Promise.all([
    ...Array.from({ length: n }, (_, i) => post(`post-${i}`)),
    ...Array.from({ length: n }, (_, i) => put(i + 1, `put-${i + 1}`)),
  ])
  const posts = replies.slice(0, n)
  const puts = replies.slice(n)
  t.same(
    posts.map((r) => r.statusCode),
    Array(n).fill(201),
    'every POST created an item',
  )
  t.ok(
    puts.every((r) => r.statusCode === 201 || r.statusCode === 200),
    `every PUT created or updated its id (${[...new Set(puts.map((r) => r.statusCode))].join(', ')})`,
  )
  const postIds = posts.map((r) => r.json().id as number)
  t.equal(new Set(postIds).size, n, 'no two POSTs got the same id')
  // A PUT that found its id already made by a POST updated that item: the item count is the distinct ids.
  const ids = new Set([...postIds, ...puts.map((r) => r.json().id as number)])
  const stored = await rawNumber(app, sql`SELECT count(*) AS n FROM items WHERE store_id = ${store.id}`)
  t.equal(stored, ids.size, 'one row per distinct id')
  const after = await app.inject({ method: 'POST', url: '/item', headers: admin.headers, payload: { name: 'after', price: 1, store_id: store.id } })
  t.equal(after.statusCode, 201, 'and POST still works afterwards')
  t.notOk(ids.has(after.json().id), 'with an id nobody had')
})
