// Rotation of the key pairs: by an admin (POST /keys/rotate), by JWT_KEY_ROTATION, or forced by
// a change of JWT_ALGORITHM; several apps on one database (SQLite file or PostgreSQL schema)
// agree on one current key, accept each other's tokens, and retired keys go once expired.
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { account, bearer, build, expectError, login, logCapture, rawQuery } from './helper.js'
import { jwksOf, keyRows, kidOf, meWith, sharedUrl, verifyWithJwks } from './keys/helpers.js'
import type { App } from '../src/app.js'

const ED = { JWT_ALGORITHM: 'EdDSA' }

async function rotate(app: App, token: string) {
  return app.inject({ method: 'POST', url: '/keys/rotate', headers: bearer(token) })
}

/** The kid the app signs with now: that of a fresh login. */
async function signingKid(app: App, username: string) {
  return kidOf((await login(app, username, 'password-123')).access_token)
}

const currentKids = async (app: App) => (await keyRows(app)).filter((row) => row.retired_at === null).map((row) => row.kid)

t.test('POST /keys/rotate: a new key signs at once, the old one keeps verifying its tokens', async (t) => {
  const logs = logCapture()
  const app = await build(t, ED, { logStream: logs.stream })
  const admin = await account(app, 'admin')
  const oldKid = kidOf(admin.access)

  const res = await rotate(app, admin.access)
  t.equal(res.statusCode, 200, res.body)
  const { kid } = res.json() as { kid: string }
  t.not(kid, oldKid, 'a new kid')
  t.equal(await signingKid(app, 'admin'), kid, 'new tokens name it')
  t.same((await jwksOf(app)).keys.map((k) => k.kid), [kid, oldKid], 'the JWKS: the new key first, the old one still there')

  t.same(await meWith(app, admin.access), { status: 200, code: undefined }, 'an access token of the old key still works')
  t.equal((await verifyWithJwks(app, admin.access, 'EdDSA')).protectedHeader.kid, oldKid, 'and verifies from the JWKS')
  const refreshed = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(admin.refresh) })
  t.equal(refreshed.statusCode, 200, 'its refresh token too')
  t.equal(kidOf(refreshed.json().access_token), kid, 'which gets tokens of the new key')

  const rows = await keyRows(app)
  t.same(rows.map((row) => [row.kid, row.generation]), [[oldKid, 1], [kid, 2]])
  const retired = rows[0]!
  const lifetime = Number(new Date(retired.verify_until as string)) - Number(new Date(retired.retired_at as string))
  t.equal(lifetime, (app.config.refreshTokenTtl + app.config.jwtLeeway) * 1000 + 60_000, 'verifies for the longest token lifetime, and a minute')

  const event = logs.lines.find((line) => line.event === 'key_rotated')
  t.match(event, { user_id: admin.id, kid, previous_kid: oldKid, alg: 'EdDSA' }, 'a security event')
  t.notMatch(logs.raw.join('\n'), /PRIVATE KEY|sealed/, 'no key material in the logs')
})

t.test('POST /keys/rotate needs a fresh admin token; with HS256 it is 409', async (t) => {
  const app = await build(t, ED)
  const admin = await account(app, 'admin')
  const user = await account(app, 'user')
  const stale = (await app.inject({ method: 'POST', url: '/refresh', headers: bearer(admin.refresh) })).json().access_token
  expectError(t, await app.inject({ method: 'POST', url: '/keys/rotate' }), 401, 'authorization_required')
  expectError(t, await rotate(app, stale), 401, 'fresh_token_required')
  expectError(t, await rotate(app, user.access), 403, 'admin_required')
  t.equal((await keyRows(app)).length, 1, 'nothing rotated')

  const hs = await build(t)
  const hsAdmin = await account(hs, 'admin')
  expectError(t, await rotate(hs, hsAdmin.access), 409, 'conflict')
})

t.test('two apps on one database', async (t) => {
  const DATABASE_URL = await sharedUrl(t)
  // Started together on an empty table: one key, which both sign with.
  const [a, b] = await Promise.all([build(t, { ...ED, DATABASE_URL }), build(t, { ...ED, DATABASE_URL })])
  const admin = await account(a, 'admin')
  await account(b, 'bob')
  t.equal((await currentKids(a)).length, 1, 'one current key')
  t.equal(await signingKid(b, 'bob'), kidOf(admin.access), 'the same on both')

  t.test('a token of a key B has not loaded yet is accepted: B reloads first', async (t) => {
    const { kid } = (await rotate(a, admin.access)).json() as { kid: string }
    const fresh = (await login(a, 'admin', 'password-123')).access_token
    t.equal(kidOf(fresh), kid)
    t.same(await meWith(b, fresh), { status: 200, code: undefined }, 'B accepts it')
    t.equal(await signingKid(b, 'bob'), kid, 'and signs with the new key since that reload')
    t.same((await jwksOf(b)).keys.map((k) => k.kid), (await jwksOf(a)).keys.map((k) => k.kid), 'both publish the same keys')
  })

  t.test("B's periodic reload adopts A's rotation", async (t) => {
    const { kid } = (await rotate(a, (await login(a, 'admin', 'password-123')).access_token)).json() as { kid: string }
    t.not(await signingKid(b, 'bob'), kid, 'before its tick, B still signs with the previous key')
    await b.keys.tick()
    t.equal(await signingKid(b, 'bob'), kid, 'after it, with the new one')
  })

  t.test('expired keys stop verifying and are deleted', async (t) => {
    const bob = await account(b, 'bobby')
    const oldKid = kidOf(bob.access)
    await rotate(a, (await login(a, 'admin', 'password-123')).access_token)
    await b.keys.tick()
    t.same(await meWith(b, bob.access), { status: 200, code: undefined }, 'retired, still verifying')
    // As if the longest token lifetime had passed since it retired.
    await rawQuery(a, sql`UPDATE signing_keys SET verify_until = ${onDialect(a, new Date(Date.now() - 1000))} WHERE kid = ${oldKid}`)
    await b.keys.tick()
    t.notOk((await keyRows(b)).some((row) => row.kid === oldKid), 'deleted')
    t.notOk((await jwksOf(b)).keys.some((k) => k.kid === oldKid), 'gone from the JWKS')
    t.same(await meWith(b, bob.access), { status: 401, code: 'invalid_token' }, 'its tokens are refused (B)')
    await a.keys.tick()
    t.same(await meWith(a, bob.access), { status: 401, code: 'invalid_token' }, 'and on A after its reload')
    t.ok((await currentKids(b)).length === 1, 'the current key is never deleted')
  })
})

/** A time as the dialect's raw SQL takes it: milliseconds on SQLite, a timestamp on PostgreSQL. */
function onDialect(app: App, at: Date) {
  return app.db.dialect === 'sqlite' ? at.getTime() : at.toISOString()
}

async function sleepPast(seconds: number) {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100))
}

t.test('JWT_KEY_ROTATION: one of two apps rotating at once wins; the other adopts its key', async (t) => {
  const DATABASE_URL = await sharedUrl(t)
  const logs = [logCapture(), logCapture()]
  const env = { ...ED, DATABASE_URL, JWT_KEY_ROTATION: '1s' }
  const a = await build(t, env, { logStream: logs[0]!.stream })
  const b = await build(t, env, { logStream: logs[1]!.stream })
  const alice = await account(a, 'alice')
  const first = kidOf(alice.access)
  await sleepPast(1)
  await Promise.all([a.keys.tick(), b.keys.tick()])
  const rows = await keyRows(a)
  t.equal(rows.length, 2, 'one new key, not two')
  t.equal((await currentKids(a)).length, 1, 'one current key')
  const [next] = await currentKids(a)
  t.not(next, first)
  t.equal(await signingKid(a, 'alice'), next, 'A signs with it')
  t.equal(await signingKid(b, 'alice'), next, 'B signs with it')
  t.same(await meWith(b, alice.access), { status: 200, code: undefined }, 'the first key still verifies')
  const events = logs.flatMap((l) => l.lines.filter((line) => line.event === 'key_rotated_automatically'))
  t.equal(events.length, 1, 'one security event')
  t.match(events[0], { kid: next, previous_kid: first, alg: 'EdDSA', reason: 'JWT_KEY_ROTATION' })
  await a.keys.tick()
  t.equal((await keyRows(a)).length, 2, 'not due again yet: nothing rotated')
})

t.test('without JWT_KEY_ROTATION the key never rotates by itself', async (t) => {
  const app = await build(t, ED)
  await sleepPast(1)
  await app.keys.tick()
  t.equal((await keyRows(app)).length, 1)
})

async function restartWith(t: Test, DATABASE_URL: string, env: Record<string, string>) {
  const logs = logCapture()
  const app = await build(t, { DATABASE_URL, ...env }, { logStream: logs.stream })
  return { app, events: logs.lines.filter((line) => line.event === 'key_rotated_automatically') }
}

t.test('a new JWT_ALGORITHM or JWT_SECRET_KEY rotates at start; tokens of the old key stay valid', async (t) => {
  const DATABASE_URL = await sharedUrl(t)
  const ed = await build(t, { ...ED, DATABASE_URL })
  const alice = await account(ed, 'alice')

  const { app: es, events } = await restartWith(t, DATABASE_URL, { JWT_ALGORITHM: 'ES256' })
  t.match(events, [{ alg: 'ES256', previous_kid: kidOf(alice.access), reason: /JWT_ALGORITHM changed from EdDSA/ }])
  t.same((await jwksOf(es)).keys.map((k) => k.alg), ['ES256', 'EdDSA'], 'both keys published')
  t.same(await meWith(es, alice.access), { status: 200, code: undefined }, 'the EdDSA token still works')
  const token = (await login(es, 'alice', 'password-123')).access_token
  t.equal((await verifyWithJwks(es, token, 'ES256')).protectedHeader.alg, 'ES256', 'new tokens are ES256')

  const other = 'another-secret-another-secret-0123456789abcdef'
  const { app: resealed, events: again } = await restartWith(t, DATABASE_URL, { JWT_ALGORITHM: 'ES256', JWT_SECRET_KEY: other })
  t.match(again, [{ reason: /sealed with another JWT_SECRET_KEY/ }], 'a key it cannot open is replaced')
  t.same(await meWith(resealed, token), { status: 200, code: undefined }, 'its tokens verify all the same (public part)')
  t.equal((await currentKids(resealed)).length, 1)
})

t.test('RS256 rotates too (its key is generated off the event loop)', async (t) => {
  const app = await build(t, { JWT_ALGORITHM: 'RS256' })
  const admin = await account(app, 'admin')
  const res = await rotate(app, admin.access)
  t.equal(res.statusCode, 200)
  t.same(await meWith(app, admin.access), { status: 200, code: undefined })
  t.equal((await verifyWithJwks(app, (await login(app, 'admin', 'password-123')).access_token, 'RS256')).protectedHeader.kid, res.json().kid)
})
