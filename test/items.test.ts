import t from 'tap'
import { account, accessClaims, bearer, build, createItem, createStore, expectError, rawNumber, signJwt } from './helper.js'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'

type Headers = Record<string, string>
type ItemBody = { name: string; price: number; store_id: number }

const postItem = (app: App, headers: Headers, payload: unknown) =>
  app.inject({ method: 'POST', url: '/item', headers, payload: payload as object })

/** The stored price in cents, straight from the database. */
const storedCents = (app: App, id: number) => rawNumber(app, sql`SELECT price_cents AS c FROM items WHERE id = ${id}`)

t.test('POST /item', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = await createStore(app, admin.headers, 'Main')
  const other = await createStore(app, admin.headers, 'Other')

  t.test('creates an item: 201 with Location, readable at that URL', async (t) => {
    const res = await postItem(app, admin.headers, { name: 'Chair', price: 19.99, store_id: store.id })
    t.equal(res.statusCode, 201)
    const item = res.json()
    t.match(item, { id: Number, name: 'Chair', price: 19.99, store_id: store.id, created_at: String })
    t.same(Object.keys(item).sort(), ['created_at', 'id', 'name', 'price', 'store_id'])
    t.equal(res.headers.location, `/item/${item.id}`)
    const got = await app.inject({ method: 'GET', url: res.headers.location as string, headers: admin.headers })
    t.same(got.json(), item)
  })

  t.test('a missing store is 404 not_found', async (t) => {
    expectError(t, await postItem(app, admin.headers, { name: 'Lost', price: 1, store_id: 999 }), 404, 'not_found')
  })

  t.test('a name taken in the same store (any case) is 409; another store may reuse it', async (t) => {
    expectError(t, await postItem(app, admin.headers, { name: 'CHAIR', price: 2, store_id: store.id }), 409, 'conflict')
    const res = await postItem(app, admin.headers, { name: 'chair', price: 2, store_id: other.id })
    t.equal(res.statusCode, 201)
    t.equal(res.json().store_id, other.id)
  })

  t.test('valid prices come back exactly, in the response and on GET', async (t) => {
    for (const [i, price] of [19.99, 0.1, 0, 999999999.99, 0.07, 1.1].entries()) {
      const res = await postItem(app, admin.headers, { name: `Priced ${i}`, price, store_id: store.id })
      t.equal(res.statusCode, 201, `price ${price} accepted`)
      t.equal(res.json().price, price, `POST returns ${price}`)
      const got = await app.inject({ method: 'GET', url: `/item/${res.json().id}`, headers: admin.headers })
      t.equal(got.json().price, price, `GET returns ${price}`)
      t.equal(await storedCents(app, res.json().id), Math.round(price * 100), `stored as whole cents`)
    }
  })

  t.test('invalid prices are 400 with details at /price', async (t) => {
    for (const price of [1.005, -1, 1000000000, '19.99', 1e-7, null]) {
      const res = await postItem(app, admin.headers, { name: 'Bad price', price, store_id: store.id })
      expectError(t, res, 400, 'validation_error')
      t.ok(
        res.json().details?.some((d: { path: string }) => d.path === '/price'),
        `details name /price for ${JSON.stringify(price)}`,
      )
    }
    t.equal((await app.inject({ method: 'GET', url: '/item?name=bad', headers: admin.headers })).json().total, 0, 'none stored')
  })

  t.test('other bad bodies are 400', async (t) => {
    const bodies = [
      { name: '', price: 1, store_id: store.id },
      { name: 'x'.repeat(81), price: 1, store_id: store.id },
      { name: 'No store', price: 1 },
      { name: 'String store', price: 1, store_id: String(store.id) },
      { name: 'Extra', price: 1, store_id: store.id, id: 77 },
    ]
    for (const payload of bodies) expectError(t, await postItem(app, admin.headers, payload), 400, 'validation_error')
  })

  t.test('needs a token', async (t) => {
    expectError(t, await postItem(app, {}, { name: 'Anon', price: 1, store_id: store.id }), 401, 'authorization_required')
  })
})

t.test('GET /item', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const a = await createStore(app, admin.headers, 'A')
  const b = await createStore(app, admin.headers, 'B')
  const created: Array<ItemBody & { id: number }> = []
  for (let i = 0; i < 25; i++) created.push(await createItem(app, admin.headers, { name: `Item ${i}`, price: i, store_id: a.id }))
  const lamp = await createItem(app, admin.headers, { name: 'Desk Lamp', price: 12.5, store_id: b.id })
  const list = (query = '', headers: Headers = {}) => app.inject({ method: 'GET', url: `/item${query}`, headers })

  t.test('without a token: only id and name, with a message saying to log in', async (t) => {
    const res = await list()
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['data', 'limit', 'message', 'offset', 'total'])
    t.match(body.message, /log in/i)
    t.equal(body.total, 26)
    t.equal(body.limit, 20)
    t.equal(body.data.length, 20)
    for (const row of body.data) t.same(Object.keys(row).sort(), ['id', 'name'])
    t.same(body.data[0], { id: created[0]!.id, name: 'Item 0' })
  })

  t.test('with an access token: full items and no message', async (t) => {
    const body = (await list('', admin.headers)).json()
    t.same(Object.keys(body).sort(), ['data', 'limit', 'offset', 'total'])
    t.equal(body.data.length, 20)
    t.same(body.data[0], created[0])
    t.match(body.data[5], { id: Number, name: String, price: 5, store_id: a.id, created_at: String })
  })

  t.test('a token that is sent must be valid: 401, never anonymous', async (t) => {
    const now = Math.floor(Date.now() / 1000)
    const expired = signJwt(accessClaims(admin.access, { iat: now - 3600, nbf: now - 3600, exp: now - 60 }))
    expectError(t, await list('', bearer(expired)), 401, 'token_expired')
    expectError(t, await list('', bearer(`${admin.access}x`)), 401, 'invalid_token')
    expectError(t, await list('', bearer('not-a-jwt')), 401, 'invalid_token')
    expectError(t, await list('', { authorization: 'Basic abc' }), 401, 'invalid_header')
    expectError(t, await list('', bearer(admin.refresh)), 401, 'wrong_token_type')
  })

  t.test('filters by store_id and by name (case-insensitive substring)', async (t) => {
    const inB = (await list(`?store_id=${b.id}`, admin.headers)).json()
    t.same(inB.data, [lamp])
    t.equal(inB.total, 1)
    const byName = (await list('?name=LAMP')).json()
    t.same(byName.data, [{ id: lamp.id, name: 'Desk Lamp' }])
    const both = (await list(`?store_id=${a.id}&name=item%202`, admin.headers)).json()
    t.same(
      both.data.map((i: { name: string }) => i.name),
      ['Item 2', 'Item 20', 'Item 21', 'Item 22', 'Item 23', 'Item 24'],
    )
    t.equal((await list(`?store_id=${b.id}&name=item`)).json().total, 0)
  })

  t.test('paginates with limit and offset', async (t) => {
    const page = (await list('?limit=10&offset=21', admin.headers)).json()
    t.equal(page.limit, 10)
    t.equal(page.offset, 21)
    t.equal(page.total, 26)
    t.same(
      page.data.map((i: { id: number }) => i.id),
      [...created.slice(21).map((i) => i.id), lamp.id],
      'the last, partial page',
    )
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?store_id=0']) {
      expectError(t, await list(query), 400, 'validation_error')
    }
  })
})

t.test('GET /item/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const user = await account(app, 'carol')
  const store = await createStore(app, admin.headers, 'Main')
  const item = await createItem(app, admin.headers, { name: 'Chair', price: 19.99, store_id: store.id })

  t.test('any access token reads an item', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/item/${item.id}`, headers: user.headers })
    t.equal(res.statusCode, 200)
    t.same(res.json(), item)
  })

  t.test('a missing item is 404; a bad id is 400', async (t) => {
    expectError(t, await app.inject({ method: 'GET', url: '/item/999', headers: user.headers }), 404, 'not_found')
    expectError(t, await app.inject({ method: 'GET', url: '/item/0', headers: user.headers }), 400, 'validation_error')
  })

  t.test('no token is 401 authorization_required', async (t) => {
    expectError(t, await app.inject({ method: 'GET', url: `/item/${item.id}` }), 401, 'authorization_required')
  })
})

t.test('PUT /item/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const a = await createStore(app, admin.headers, 'A')
  const b = await createStore(app, admin.headers, 'B')
  const item = await createItem(app, admin.headers, { name: 'Chair', price: 19.99, store_id: a.id })
  await createItem(app, admin.headers, { name: 'Table', price: 50, store_id: a.id })
  const put = (id: number, payload: unknown, headers: Headers = admin.headers) =>
    app.inject({ method: 'PUT', url: `/item/${id}`, headers, payload: payload as object })

  t.test('updates an existing item: 200 with the new name and price', async (t) => {
    const res = await put(item.id, { name: 'Armchair', price: 24.5 })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { ...item, name: 'Armchair', price: 24.5 })
    t.equal(res.headers.location, undefined)
    const got = await app.inject({ method: 'GET', url: `/item/${item.id}`, headers: admin.headers })
    t.same(got.json(), { ...item, name: 'Armchair', price: 24.5 })
    t.equal(await storedCents(app, item.id), 2450)
  })

  t.test('store_id moves the item to another store', async (t) => {
    const res = await put(item.id, { name: 'Armchair', price: 24.5, store_id: b.id })
    t.equal(res.statusCode, 200)
    t.equal(res.json().store_id, b.id)
    const storeB = (await app.inject({ method: 'GET', url: `/store/${b.id}` })).json()
    t.same(storeB.items.map((i: { id: number }) => i.id), [item.id])
  })

  t.test('a new id creates the item with that id: 201 with Location', async (t) => {
    const res = await put(500, { name: 'Stool', price: 9.99, store_id: a.id })
    t.equal(res.statusCode, 201)
    t.match(res.json(), { id: 500, name: 'Stool', price: 9.99, store_id: a.id, created_at: String })
    t.equal(res.headers.location, '/item/500')
    const got = await app.inject({ method: 'GET', url: '/item/500', headers: admin.headers })
    t.equal(got.statusCode, 200)
    t.same(got.json(), res.json())
  })

  t.test('creating without store_id is 400; with a missing store 404; nothing is created', async (t) => {
    const missing = await put(600, { name: 'Bench', price: 1 })
    expectError(t, missing, 400, 'validation_error')
    t.match(missing.json().details, [{ path: '/store_id' }])
    expectError(t, await put(600, { name: 'Bench', price: 1, store_id: 999 }), 404, 'not_found')
    t.equal(await app.repos.items.getJson(600), undefined)
  })

  t.test('moving an existing item to a missing store is 404 and changes nothing', async (t) => {
    expectError(t, await put(item.id, { name: 'Moved', price: 1, store_id: 999 }), 404, 'not_found')
    t.equal(JSON.parse((await app.repos.items.getJson(item.id))!).name, 'Armchair')
  })

  t.test('a name taken in the target store (any case) is 409', async (t) => {
    expectError(t, await put(item.id, { name: 'TABLE', price: 1, store_id: a.id }), 409, 'conflict')
    expectError(t, await put(700, { name: 'table', price: 1, store_id: a.id }), 409, 'conflict')
    t.equal(JSON.parse((await app.repos.items.getJson(item.id))!).store_id, b.id, 'the item did not move')
  })

  t.test('bad bodies are 400; no token is 401', async (t) => {
    expectError(t, await put(item.id, { name: 'Armchair' }), 400, 'validation_error')
    expectError(t, await put(item.id, { name: 'Armchair', price: 1.234 }), 400, 'validation_error')
    expectError(t, await put(item.id, { name: 'Armchair', price: 1 }, {}), 401, 'authorization_required')
  })
})

t.test('DELETE /item/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const user = await account(app, 'dave')
  const store = await createStore(app, admin.headers, 'Main')
  const item = await createItem(app, admin.headers, { name: 'Chair', price: 1, store_id: store.id })
  const del = (headers: Headers) => app.inject({ method: 'DELETE', url: `/item/${item.id}`, headers })

  t.test('a non-admin is 403 admin_required', async (t) => {
    expectError(t, await del(user.headers), 403, 'admin_required')
    t.ok(await app.repos.items.getJson(item.id), 'still there')
  })

  t.test('an admin with a fresh token deletes it; then it is 404', async (t) => {
    const res = await del(admin.headers)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    t.equal(await storedCents(app, item.id), undefined, 'row gone')
    expectError(t, await app.inject({ method: 'GET', url: `/item/${item.id}`, headers: admin.headers }), 404, 'not_found')
    expectError(t, await del(admin.headers), 404, 'not_found')
    t.equal((await app.inject({ method: 'GET', url: `/store/${store.id}` })).statusCode, 200, 'the store stays')
  })
})
