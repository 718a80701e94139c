// SQLite's write lock held by another connection (a backup, a migration, another instance's long
// transaction): reads go on, the waiting write waits off the event loop, and after 5 s it is a
// 503 with Retry-After; once the lock is gone in time, the write succeeds.
import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { account, build, createStore, expectError, onPostgres } from './helper.js'

async function lockedApp(t: Test) {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const store = await createStore(app, alice.headers, 'Corner Shop')
  if (app.db.dialect !== 'sqlite') throw new Error('SQLite only')
  const other = new Database(app.db.sqlite.name)
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE') // the write lock, until COMMIT or ROLLBACK
  return { app, alice, store, other }
}

t.test('a held write lock: reads answer while a write waits, and the write ends as 503 with Retry-After', { skip: onPostgres && 'SQLite only' }, async (t) => {
  const { app, alice, store, other } = await lockedApp(t)
  const order: string[] = []
  const write = app
    .inject({ method: 'POST', url: '/item', headers: alice.headers, payload: { name: 'Chair', price: 1, store_id: store.id } })
    .then((res) => (order.push('write'), res))

  // Issued after the write, answered before it: nothing waits behind the waiting write.
  for (let i = 0; i < 5; i++) {
    const [items, me, one] = await Promise.all([
      app.inject({ url: '/item', headers: alice.headers }),
      app.inject({ url: '/me', headers: alice.headers }),
      app.inject({ url: `/store/${store.id}` }),
    ])
    t.same([items.statusCode, me.statusCode, one.statusCode], [200, 200, 200], `reads round ${i + 1} answered`)
    order.push('reads')
  }
  t.same(order, Array(5).fill('reads'), 'every read was answered while the write was still waiting')

  const res = await write
  expectError(t, res, 503, 'service_unavailable')
  t.match(res.headers['retry-after'], /^[1-9][0-9]*$/, 'Retry-After in seconds')
  other.exec('ROLLBACK')
  const items = await app.inject({ url: '/item', headers: alice.headers })
  t.equal(items.json().total, 0, 'the refused write left nothing behind')
  const again = await app.inject({ method: 'POST', url: '/item', headers: alice.headers, payload: { name: 'Chair', price: 1, store_id: store.id } })
  t.equal(again.statusCode, 201, 'the same write succeeds once the lock is free')
})

t.test('a lock released within the bound: the waiting write succeeds', { skip: onPostgres && 'SQLite only' }, async (t) => {
  const { app, alice, store, other } = await lockedApp(t)
  const write = app.inject({ method: 'POST', url: '/item', headers: alice.headers, payload: { name: 'Chair', price: 1, store_id: store.id } })
  let answered = false
  void write.then(() => (answered = true))
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.notOk(answered, 'the write is still waiting for the lock')
  other.exec('COMMIT')
  const res = await write
  t.equal(res.statusCode, 201, `201 once the lock is gone (${res.body})`)
  t.equal((await app.inject({ url: `/item/${res.json().id}`, headers: alice.headers })).statusCode, 200, 'and it is stored')
})

t.test('a token check needs no write; a login waits for the lock like any write', { skip: onPostgres && 'SQLite only' }, async (t) => {
  const { app, alice, other } = await lockedApp(t)
  // A session last used over a minute ago gets its last_used_at touched: skipped while locked.
  other.exec('ROLLBACK')
  if (app.db.dialect === 'sqlite') app.db.sqlite.prepare('UPDATE sessions SET last_used_at = 0').run()
  other.exec('BEGIN IMMEDIATE')
  const me = await app.inject({ url: '/me', headers: alice.headers })
  t.equal(me.statusCode, 200, 'an authenticated read answers although its session touch cannot be written')
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: alice.password } })
  expectError(t, login, 503, 'service_unavailable')
  t.notOk(login.headers['set-cookie'], 'no token was handed out for a session that was not stored')
})
