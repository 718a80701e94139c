// Concurrent requests on one unique name, one new id or one refresh token. Each race runs
// through app.inject and again over real HTTP (app.listen + fetch), which interleave differently.
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { sql, type SQL } from 'drizzle-orm'
import type { App } from '../src/app.js'
import { account, bearer, build, decodeJwt, login, rawNumber, type Account } from './helper.js'

interface Reply {
  status: number
  body: Record<string, unknown>
}
type Send = (method: string, url: string, headers?: Record<string, string>, payload?: unknown) => Promise<Reply>

const TRANSPORTS = ['inject', 'http'] as const
type Transport = (typeof TRANSPORTS)[number]

/** A way to send `app` requests through `transport` (over HTTP, the app starts listening). */
async function connect(app: App, transport: Transport): Promise<Send> {
  if (transport === 'inject') {
    return async (method, url, headers = {}, payload = undefined) => {
      const res = await app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
      return { status: res.statusCode, body: res.json() }
    }
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return async (method, url, headers = {}, payload = undefined) => {
    const body = payload === undefined ? undefined : JSON.stringify(payload)
    const res = await fetch(`${base}${url}`, { method, headers: body ? { ...headers, 'content-type': 'application/json' } : headers, body })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
}

/** A fresh app, its admin, and `send` through `transport`. */
async function setup(t: Test, transport: Transport): Promise<{ app: App; send: Send; admin: Account }> {
  const app = await build(t)
  return { app, send: await connect(app, transport), admin: await account(app, 'admin') }
}

/** Outcomes by "status" or "status code": { '201': 1, '409 conflict': 49 }. */
function tally(replies: Reply[]) {
  const counts: Record<string, number> = {}
  for (const { status, body } of replies) {
    const key = status < 300 ? String(status) : `${status} ${String(body.code)}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

// SQL both databases run: TRUE is SQLite's 1 and PostgreSQL's boolean; roles is JSON text in SQLite, jsonb in PostgreSQL.
const ADMINS = sql`SELECT count(*) AS n FROM users WHERE CAST(roles AS TEXT) LIKE '%"admin"%'`
const ACTIVE_ADMINS = sql`SELECT count(*) AS n FROM users WHERE is_active = TRUE AND CAST(roles AS TEXT) LIKE '%"admin"%'`
/** A `SELECT count(*)` on the app's database, SQLite or PostgreSQL. */
const count = (app: App, query: SQL) => rawNumber(app, query)

/** `n` copies of one request, all started before any is awaited. */
const together = (n: number, request: (i: number) => Promise<Reply>) => Promise.all(Array.from({ length: n }, (_, i) => request(i)))

for (const transport of TRANSPORTS) {
  t.test(`50 registrations of one username (any case): one 201, 49 conflicts (${transport})`, async (t) => {
    const { app, send } = await setup(t, transport)
    const spellings = ['racer', 'Racer', 'RACER', 'rAcEr']
    const replies = await together(50, (i) =>
      send('POST', '/register', {}, { username: spellings[i % spellings.length], password: 'password-123' }),
    )
    t.same(tally(replies), { 201: 1, '409 conflict': 49 })
    t.equal(await count(app, sql`SELECT count(*) AS n FROM users WHERE username_key = 'racer'`), 1, 'one row')
    const winner = replies.find((r) => r.status === 201)
    t.equal((await send('POST', '/login', {}, { username: String(winner?.body.username), password: 'password-123' })).status, 200, 'the winner can log in')
  })

  t.test(`20 first registrations at once make exactly one admin (${transport})`, async (t) => {
    const app = await build(t)
    const send = await connect(app, transport)
    const replies = await together(20, (i) => send('POST', '/register', {}, { username: `first-${i}`, password: 'password-123' }))
    t.same(tally(replies), { 201: 20 })
    t.equal(replies.filter((r) => r.body.is_admin === true).length, 1, 'one admin in the responses')
    t.equal(await count(app, ADMINS), 1, 'one admin stored')
  })

  t.test(`50 POST /store with one name: one 201, 49 conflicts (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const replies = await together(50, (i) => send('POST', '/store', admin.headers, { name: i % 2 ? 'Corner Shop' : 'corner shop' }))
    t.same(tally(replies), { 201: 1, '409 conflict': 49 })
    t.equal(await count(app, sql`SELECT count(*) AS n FROM stores WHERE name_key = 'corner shop'`), 1, 'one row')
  })

  t.test(`50 POST /item with one name in one store: one 201, 49 conflicts (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const store = (await send('POST', '/store', admin.headers, { name: 'market' })).body
    const replies = await together(50, (i) => send('POST', '/item', admin.headers, { name: 'Chair', price: i + 0.5, store_id: store.id }))
    t.same(tally(replies), { 201: 1, '409 conflict': 49 })
    t.equal(await count(app, sql`SELECT count(*) AS n FROM items WHERE store_id = ${store.id}`), 1, 'one row')
    const created = replies.find((r) => r.status === 201)?.body
    t.match((await send('GET', `/item/${String(created?.id)}`, admin.headers)).body, { name: 'Chair', price: created?.price }, 'the stored item is the acknowledged one')
  })

  t.test(`20 PUT /item/{new id}: one 201, the rest 200, one row (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const store = (await send('POST', '/store', admin.headers, { name: 'market' })).body
    const id = 4242
    const prices = Array.from({ length: 20 }, (_, i) => 10 + i / 100)
    const replies = await together(20, (i) => send('PUT', `/item/${id}`, admin.headers, { name: 'Lamp', price: prices[i], store_id: store.id }))
    t.same(tally(replies), { 200: 19, 201: 1 })
    t.equal(await count(app, sql`SELECT count(*) AS n FROM items WHERE id = ${id}`), 1, 'one row')
    const stored = (await send('GET', `/item/${id}`, admin.headers)).body
    t.match(stored, { id, name: 'Lamp', store_id: store.id })
    t.ok(prices.includes(stored.price as number), `the stored price ${String(stored.price)} is one that was sent`)
  })

  t.test(`20 refreshes with one refresh token amid other traffic: exactly one 200 (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const alice = await account(app, 'alice')
    const pair = await login(app, 'alice', alice.password)
    const refreshes = together(20, () => send('POST', '/refresh', bearer(pair.refresh_token)))
    // Unrelated traffic at the same time, from another user and another session of alice's.
    const traffic = together(30, (i) =>
      i % 3 === 0
        ? send('GET', '/me', alice.headers)
        : i % 3 === 1
          ? send('POST', '/store', admin.headers, { name: `busy-${i}` })
          : send('GET', '/store?limit=5'),
    )
    const [refreshReplies, trafficReplies] = await Promise.all([refreshes, traffic])
    t.same(tally(refreshReplies), { 200: 1, '401 token_revoked': 19 })
    t.same(tally(trafficReplies), { 200: 20, 201: 10 }, 'other requests were unaffected')

    // The replays count as theft: the whole session ends, the winner's new tokens with it.
    const winner = refreshReplies.find((r) => r.status === 200)?.body
    const sid = decodeJwt(pair.refresh_token).sid
    t.equal(await count(app, sql`SELECT count(*) AS n FROM sessions WHERE id = ${sid}`), 0, 'the session is revoked')
    t.equal((await send('POST', '/refresh', bearer(String(winner?.refresh_token)))).body.code, 'token_revoked')
    t.equal((await send('GET', '/me', alice.headers)).status, 200, "alice's other session lives on")
  })

  t.test(`two admins demoting each other at once leave exactly one admin (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const second = await account(app, 'second')
    t.equal((await send('PATCH', `/user/${second.id}`, admin.headers, { roles: ['admin', 'user'] })).status, 200)
    const fresh = bearer((await login(app, 'second', second.password)).access_token)
    const replies = await together(10, (i) =>
      i % 2 ? send('PATCH', `/user/${second.id}`, admin.headers, { roles: ['user'] }) : send('PATCH', `/user/${admin.id}`, fresh, { roles: ['user'] }),
    )
    for (const r of replies) t.ok([200, 403, 409].includes(r.status), `status ${r.status} ${String(r.body.code ?? '')}`)
    t.equal(await count(app, ACTIVE_ADMINS), 1, 'one active admin remains')
  })

  t.test(`two admins deleting themselves at once: one 200, one 409, one admin left (${transport})`, async (t) => {
    const { app, send, admin } = await setup(t, transport)
    const second = await account(app, 'second')
    t.equal((await send('PATCH', `/user/${second.id}`, admin.headers, { roles: ['admin', 'user'] })).status, 200)
    const replies = await Promise.all([admin, second].map((a) => send('DELETE', `/user/${a.id}`, a.headers)))
    t.same(tally(replies), { 200: 1, '409 conflict': 1 })
    t.equal(await count(app, ACTIVE_ADMINS), 1, 'one active admin remains')
  })

  t.test(`refreshes racing POST /logout/all never leave a working token (${transport})`, async (t) => {
    const { app, send } = await setup(t, transport)
    const alice = await account(app, 'alice')
    const pairs = await Promise.all(Array.from({ length: 8 }, () => login(app, 'alice', alice.password)))
    const replies = await Promise.all([
      send('POST', '/logout/all', alice.headers),
      ...pairs.map((p) => send('POST', '/refresh', bearer(p.refresh_token))),
    ])
    t.equal(replies[0]?.status, 200, 'logout/all succeeded')
    t.equal(await count(app, sql`SELECT count(*) AS n FROM sessions WHERE user_id = ${alice.id}`), 0, 'no session of alice is left')
    const issued = replies.slice(1).flatMap((r) => (r.status === 200 ? [String(r.body.access_token), String(r.body.refresh_token)] : []))
    for (const token of [alice.access, ...pairs.map((p) => p.access_token), ...issued]) {
      const kind = decodeJwt(token).type
      const res = kind === 'refresh' ? await send('POST', '/refresh', bearer(token)) : await send('GET', '/me', bearer(token))
      t.equal(res.body.code, 'token_revoked', `${kind} token revoked`)
    }
  })
}
