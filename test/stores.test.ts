import t from 'tap'
import { account, bearer, build, createItem, createStore, expectError, rawNumber } from './helper.js'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'

type Headers = Record<string, string>

const listStores = (app: App, query = '') => app.inject({ method: 'GET', url: `/store${query}` })

/** A non-fresh access token: what POST /refresh hands out. */
async function refreshedAccess(app: App, refresh: string) {
  const res = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(refresh) })
  if (res.statusCode !== 200) throw new Error(`refresh: ${res.statusCode} ${res.body}`)
  return res.json().access_token as string
}

t.test('GET /store', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const names = ['Corner Shop', 'corner market', 'Big 100% Deals', 'under_score', 'underXscore']
  for (let i = 0; i < 21; i++) names.push(`Filler ${String(i).padStart(2, '0')}`)
  for (const name of names) await createStore(app, admin.headers, name)

  t.test('returns the pagination envelope with the default limit of 20', async (t) => {
    const res = await listStores(app)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['data', 'limit', 'offset', 'total'])
    t.equal(body.total, names.length)
    t.equal(body.limit, 20)
    t.equal(body.offset, 0)
    t.equal(body.data.length, 20)
    t.match(body.data[0], { id: Number, name: 'Corner Shop', created_at: String })
    t.same(Object.keys(body.data[0]).sort(), ['created_at', 'id', 'name'], 'a Store has no items in a list')
    t.ok(!Number.isNaN(Date.parse(body.data[0].created_at)), 'created_at is a date')
  })

  t.test('limit and offset page through the stores in id order', async (t) => {
    const first = (await listStores(app, '?limit=3')).json()
    const second = (await listStores(app, '?limit=3&offset=3')).json()
    t.equal(first.data.length, 3)
    t.equal(second.limit, 3)
    t.equal(second.offset, 3)
    t.equal(second.total, names.length)
    t.same(
      [...first.data, ...second.data].map((s: { name: string }) => s.name),
      names.slice(0, 6),
    )
    const past = (await listStores(app, `?offset=${names.length}`)).json()
    t.same(past.data, [], 'an offset past the end is an empty page')
    t.equal(past.total, names.length)
    t.equal((await listStores(app, '?limit=100')).json().data.length, names.length, 'limit=100 is allowed')
  })

  t.test('limit outside 1..100 or not a number is a 400', async (t) => {
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?offset=-1']) {
      expectError(t, await listStores(app, query), 400, 'validation_error')
    }
  })

  t.test('?name= filters by case-insensitive substring', async (t) => {
    const body = (await listStores(app, '?name=CORNER')).json()
    t.same(
      body.data.map((s: { name: string }) => s.name),
      ['Corner Shop', 'corner market'],
    )
    t.equal(body.total, 2)
  })

  t.test('?name= takes % and _ literally', async (t) => {
    const percent = (await listStores(app, `?name=${encodeURIComponent('%')}`)).json()
    t.same(
      percent.data.map((s: { name: string }) => s.name),
      ['Big 100% Deals'],
    )
    const underscore = (await listStores(app, '?name=r_s')).json()
    t.same(
      underscore.data.map((s: { name: string }) => s.name),
      ['under_score'],
      'underXscore does not match r_s',
    )
  })
})

t.test('POST /store', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const user = await account(app, 'alice')

  t.test('any user with a fresh token creates a store: 201 with Location', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/store', headers: user.headers, payload: { name: 'Corner Shop' } })
    t.equal(res.statusCode, 201)
    const store = res.json()
    t.match(store, { id: Number, name: 'Corner Shop', created_at: String })
    t.equal(res.headers.location, `/store/${store.id}`)
    const got = await app.inject({ method: 'GET', url: res.headers.location as string })
    t.equal(got.statusCode, 200)
    t.equal(got.json().name, 'Corner Shop')
  })

  t.test('a name taken in another case is a 409 conflict', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'CORNER shop' } })
    expectError(t, res, 409, 'conflict')
    t.equal((await listStores(app, '?name=corner')).json().total, 1, 'no second store stored')
  })

  t.test('bad bodies are 400 validation_error', async (t) => {
    const bodies: unknown[] = [{ name: '' }, { name: 'x'.repeat(81) }, { name: 'Shop', extra: 1 }, { name: 42 }, {}]
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: payload as object })
      expectError(t, res, 400, 'validation_error')
      t.ok(Array.isArray(res.json().details), `details for ${JSON.stringify(payload).slice(0, 40)}`)
    }
    const ok = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'y'.repeat(80) } })
    t.equal(ok.statusCode, 201, '80 characters is allowed')
  })

  t.test('no token is a 401; a non-fresh token is 401 fresh_token_required', async (t) => {
    const before = (await listStores(app)).json().total
    expectError(t, await app.inject({ method: 'POST', url: '/store', payload: { name: 'Anon' } }), 401, 'authorization_required')
    const stale = bearer(await refreshedAccess(app, user.refresh))
    expectError(t, await app.inject({ method: 'POST', url: '/store', headers: stale, payload: { name: 'Stale' } }), 401, 'fresh_token_required')
    t.equal((await listStores(app)).json().total, before, 'nothing created')
  })
})

t.test('GET /store/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = await createStore(app, admin.headers, 'With Items')
  const other = await createStore(app, admin.headers, 'Other')
  const chair = await createItem(app, admin.headers, { name: 'Chair', price: 19.99, store_id: store.id })
  const table = await createItem(app, admin.headers, { name: 'Table', price: 120, store_id: store.id })
  await createItem(app, admin.headers, { name: 'Lamp', price: 5, store_id: other.id })

  t.test('is public and includes the store\'s items', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/store/${store.id}` })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { ...store, items: [chair, table] })
  })

  t.test('a store without items has an empty list', async (t) => {
    const empty = await createStore(app, admin.headers, 'Empty')
    t.same((await app.inject({ method: 'GET', url: `/store/${empty.id}` })).json().items, [])
  })

  t.test('a missing store is 404 not_found', async (t) => {
    expectError(t, await app.inject({ method: 'GET', url: '/store/999' }), 404, 'not_found')
  })

  t.test('ids outside 1..2147483647 or not integers are 400', async (t) => {
    for (const id of ['0', '-1', '2147483648', 'abc', '1.5']) {
      expectError(t, await app.inject({ method: 'GET', url: `/store/${id}` }), 400, 'validation_error')
    }
    expectError(t, await app.inject({ method: 'GET', url: '/store/2147483647' }), 404, 'not_found')
  })
})

t.test('DELETE /store/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const user = await account(app, 'bob')
  const itemRows = (storeId: number) => rawNumber(app, sql`SELECT COUNT(*) AS n FROM items WHERE store_id = ${storeId}`)

  t.test('an admin with a fresh token deletes the store and its items', async (t) => {
    const store = await createStore(app, admin.headers, 'Doomed')
    const kept = await createStore(app, admin.headers, 'Kept')
    const item = await createItem(app, admin.headers, { name: 'Chair', price: 1, store_id: store.id })
    const keptItem = await createItem(app, admin.headers, { name: 'Chair', price: 1, store_id: kept.id })
    t.equal(await itemRows(store.id), 1)

    const res = await app.inject({ method: 'DELETE', url: `/store/${store.id}`, headers: admin.headers })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    expectError(t, await app.inject({ method: 'GET', url: `/store/${store.id}` }), 404, 'not_found')
    expectError(t, await app.inject({ method: 'GET', url: `/item/${item.id}`, headers: admin.headers }), 404, 'not_found')
    t.equal(await itemRows(store.id), 0, 'its item rows are gone')
    t.equal(await app.repos.stores.getWithItems(store.id), undefined)
    const other = await app.inject({ method: 'GET', url: `/item/${keptItem.id}`, headers: admin.headers })
    t.equal(other.statusCode, 200, 'items of other stores stay')

    expectError(t, await app.inject({ method: 'DELETE', url: `/store/${store.id}`, headers: admin.headers }), 404, 'not_found')
  })

  t.test('a missing store is 404', async (t) => {
    expectError(t, await app.inject({ method: 'DELETE', url: '/store/999', headers: admin.headers }), 404, 'not_found')
  })

  t.test('a non-admin is 403 admin_required and nothing is deleted', async (t) => {
    const store = await createStore(app, user.headers, 'Bobs')
    const res = await app.inject({ method: 'DELETE', url: `/store/${store.id}`, headers: user.headers })
    expectError(t, res, 403, 'admin_required')
    t.equal((await app.inject({ method: 'GET', url: `/store/${store.id}` })).statusCode, 200)
  })

  t.test('an admin with a non-fresh token is 401 fresh_token_required', async (t) => {
    const store = await createStore(app, admin.headers, 'Stays')
    const stale = bearer(await refreshedAccess(app, admin.refresh))
    const res = await app.inject({ method: 'DELETE', url: `/store/${store.id}`, headers: stale })
    expectError(t, res, 401, 'fresh_token_required')
    t.equal((await app.inject({ method: 'GET', url: `/store/${store.id}` })).statusCode, 200)
  })

  t.test('no token is 401 authorization_required', async (t) => {
    expectError(t, await app.inject({ method: 'DELETE', url: '/store/1' }), 401, 'authorization_required')
  })
})
