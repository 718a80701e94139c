// JWT_REFRESH_REUSE_INTERVAL: the refresh token a rotation just retired still refreshes for that
// many seconds (answered with the session's current refresh token), and is theft after it.
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'
import { account, bearer, build, decodeJwt, expectError, rawQuery } from './helper.js'

const INTERVAL = 30
const refresh = (app: App, token: string) => app.inject({ method: 'POST', url: '/refresh', headers: bearer(token) })
const me = (app: App, token: string) => app.inject({ url: '/me', headers: bearer(token) })
const jti = (token: string) => decodeJwt(token).jti

/** Moves the session's last rotation `seconds` into the past. */
async function rotatedAgo(app: App, sid: string, seconds: number) {
  const at = Date.now() - seconds * 1000
  await rawQuery(app, app.db.dialect === 'sqlite' ? sql`UPDATE sessions SET rotated_at = ${at} WHERE id = ${sid}` : sql`UPDATE sessions SET rotated_at = ${new Date(at).toISOString()} WHERE id = ${sid}`)
}

t.test('within the interval the retired token gets the current one; after it, reuse revokes the session', async (t) => {
  const app = await build(t, { JWT_REFRESH_REUSE_INTERVAL: String(INTERVAL) })
  const alice = await account(app, 'alice')
  const sid = decodeJwt(alice.refresh).sid as string
  const rotated = (await refresh(app, alice.refresh)).json()

  const again = await refresh(app, alice.refresh)
  t.equal(again.statusCode, 200, 'the just-retired token refreshes')
  t.equal(again.headers['cache-control'], 'no-store')
  const pair = again.json()
  t.equal(jti(pair.refresh_token), jti(rotated.refresh_token), "the session's current refresh token (same jti)")
  t.equal(decodeJwt(pair.access_token).fresh, false, 'a non-fresh access token')
  t.equal(decodeJwt(pair.refresh_token).exp, decodeJwt(rotated.refresh_token).exp, 'the session keeps its end')
  t.equal((await me(app, pair.access_token)).statusCode, 200, 'the new access token works')
  t.equal((await me(app, alice.access)).statusCode, 200, 'the session was not revoked')

  t.test('at the edge of the interval it still refreshes', async (t) => {
    await rotatedAgo(app, sid, INTERVAL - 1)
    t.equal((await refresh(app, alice.refresh)).statusCode, 200)
  })

  t.test('after the interval it is theft: the whole session is revoked', async (t) => {
    await rotatedAgo(app, sid, INTERVAL + 1)
    expectError(t, await refresh(app, alice.refresh), 401, 'token_revoked')
    expectError(t, await me(app, pair.access_token), 401, 'token_revoked')
    expectError(t, await refresh(app, rotated.refresh_token), 401, 'token_revoked')
  })
})

t.test('only the token the last rotation retired: an older one is theft even within the interval', async (t) => {
  const app = await build(t, { JWT_REFRESH_REUSE_INTERVAL: String(INTERVAL) })
  const bob = await account(app, 'bob')
  const second = (await refresh(app, bob.refresh)).json()
  const third = (await refresh(app, second.refresh_token)).json()
  expectError(t, await refresh(app, bob.refresh), 401, 'token_revoked')
  expectError(t, await me(app, third.access_token), 401, 'token_revoked')
})

t.test('two refreshes at once with one token both keep the session', async (t) => {
  const app = await build(t, { JWT_REFRESH_REUSE_INTERVAL: String(INTERVAL) })
  const carol = await account(app, 'carol')
  const results = await Promise.all(Array.from({ length: 4 }, () => refresh(app, carol.refresh)))
  t.same(
    results.map((r) => r.statusCode),
    [200, 200, 200, 200],
    'every one is answered',
  )
  const jtis = new Set(results.map((r) => jti(r.json().refresh_token)))
  t.equal(jtis.size, 1, 'all of them got the one current refresh token')
  const current = results[0]!.json().refresh_token
  t.equal((await refresh(app, current)).statusCode, 200, 'which rotates on as usual')
})

t.test('with the default 0, reuse is theft at once (the strict behaviour)', async (t) => {
  const app = await build(t)
  const dave = await account(app, 'dave')
  const rotated = (await refresh(app, dave.refresh)).json()
  expectError(t, await refresh(app, dave.refresh), 401, 'token_revoked')
  expectError(t, await me(app, rotated.access_token), 401, 'token_revoked')
})

t.test('the state is in the database: a rotation on one instance is honoured by another', async (t) => {
  const env = { JWT_REFRESH_REUSE_INTERVAL: String(INTERVAL) }
  const a = await build(t, env)
  const b = await build(t, { ...env, DATABASE_URL: a.config.databaseUrl })
  const erin = await account(a, 'erin')
  const rotated = (await refresh(a, erin.refresh)).json()
  const onB = await refresh(b, erin.refresh)
  t.equal(onB.statusCode, 200, 'the other instance accepts the just-retired token')
  t.equal(jti(onB.json().refresh_token), jti(rotated.refresh_token), 'and answers the current one')
})

t.test('cookie mode: the reused refresh sets the cookies of the current token', async (t) => {
  const app = await build(t, { JWT_REFRESH_REUSE_INTERVAL: String(INTERVAL), JWT_TOKEN_LOCATION: 'headers,cookies' })
  const frank = await account(app, 'frank')
  const rotated = (await refresh(app, frank.refresh)).json()
  const res = await refresh(app, frank.refresh)
  const cookie = res.cookies.find((c) => c.name === 'refresh_token_cookie')
  t.equal(cookie && jti(cookie.value), jti(rotated.refresh_token))
})
