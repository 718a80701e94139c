import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../src/app.js'
import { account, bearer, build, decodeJwt, expectError, login, onPostgres, postgresSchema, rawNumber, rawQuery, tempDir, TEST_SECRET } from './helper.js'

const me = (app: App, access: string) => app.inject({ method: 'GET', url: '/me', headers: bearer(access) })
const refresh = (app: App, token: string) => app.inject({ method: 'POST', url: '/refresh', headers: bearer(token) })
const sidOf = (token: string) => decodeJwt(token).sid as string

/** Uses the token where its type belongs (/me for access, /refresh for refresh) and returns the response. */
function use(app: App, token: string) {
  return decodeJwt(token).type === 'refresh' ? refresh(app, token) : me(app, token)
}

async function expectRejected(t: Test, app: App, tokens: string[], code = 'token_revoked') {
  for (const token of tokens) expectError(t, await use(app, token), 401, code)
}

async function expectAccepted(t: Test, app: App, tokens: string[]) {
  for (const token of tokens) t.equal((await use(app, token)).statusCode, 200, `${decodeJwt(token).type} token still works`)
}

/** Rows in the sessions table (of one user, when given), read with raw SQL. */
async function sessionRows(app: App, userId?: number) {
  const where = userId === undefined ? sql`` : sql` WHERE user_id = ${userId}`
  return (await rawNumber(app, sql`SELECT count(*) AS n FROM sessions${where}`)) ?? -1
}

async function loginWithAgent(app: App, username: string, userAgent: string, password = 'password-123') {
  const res = await app.inject({ method: 'POST', url: '/login', headers: { 'user-agent': userAgent }, payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
  return res.json() as { access_token: string; refresh_token: string }
}

t.test('refresh rotation', async (t) => {
  const app = await build(t)

  t.test('a refresh returns a rotated pair, non-fresh, same session, not cacheable', async (t) => {
    const alice = await account(app, 'alice')
    const res = await refresh(app, alice.refresh)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const pair = res.json()
    t.match(pair, { access_token: String, refresh_token: String, token_type: 'Bearer', expires_in: Number, refresh_expires_in: Number })
    const oldClaims = decodeJwt(alice.refresh)
    const newClaims = decodeJwt(pair.refresh_token)
    const access = decodeJwt(pair.access_token)
    t.equal(newClaims.type, 'refresh')
    t.not(newClaims.jti, oldClaims.jti, 'a new refresh jti')
    t.equal(newClaims.sid, oldClaims.sid, 'same session')
    t.equal(access.type, 'access')
    t.equal(access.fresh, false, 'refreshed access tokens are not fresh')
    t.equal(access.sid, oldClaims.sid)
    t.equal(decodeJwt(alice.access).fresh, true, 'login access tokens are fresh')
    t.equal((await me(app, pair.access_token)).statusCode, 200)
  })

  t.test('replaying a retired refresh token revokes the whole session', async (t) => {
    const bob = await account(app, 'bob')
    const other = await login(app, 'bob', 'password-123')
    const rotated = (await refresh(app, bob.refresh)).json()
    expectError(t, await refresh(app, bob.refresh), 401, 'token_revoked')
    await expectRejected(t, app, [rotated.refresh_token, rotated.access_token, bob.access])
    await expectAccepted(t, app, [other.access_token])
  })

  t.test('parallel refreshes with one token: exactly one succeeds', async (t) => {
    const carol = await account(app, 'carol')
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(app, carol.refresh)))
    t.equal(results.filter((r) => r.statusCode === 200).length, 1, 'one 200')
    for (const res of results.filter((r) => r.statusCode !== 200)) expectError(t, res, 401, 'token_revoked')
  })

  t.test('rotation never extends the session', async (t) => {
    const dave = await account(app, 'dave')
    const first = await login(app, 'dave', 'password-123')
    const loginExp = decodeJwt(first.refresh_token).exp as number
    // Let the clock move to a later second, so a refresh that restarted the lifetime would show.
    await sleep(1100)
    const res = await refresh(app, first.refresh_token)
    t.equal(res.statusCode, 200)
    const pair = res.json()
    t.equal(decodeJwt(pair.refresh_token).exp, loginExp, 'the refresh token keeps the login exp')
    t.ok(pair.refresh_expires_in < first.refresh_expires_in, 'refresh_expires_in shrinks')
    t.ok((decodeJwt(pair.access_token).exp as number) <= loginExp, 'the access token ends with the session')
    const again = (await refresh(app, pair.refresh_token)).json()
    t.equal(decodeJwt(again.refresh_token).exp, loginExp, 'still the login exp after a second rotation')
    t.equal((await me(app, dave.access)).statusCode, 200, 'other sessions are untouched')
  })
})

t.test('logout', async (t) => {
  const app = await build(t)

  t.test('POST /logout revokes this session only', async (t) => {
    const alice = await account(app, 'alice')
    const other = await login(app, 'alice', 'password-123')
    const res = await app.inject({ method: 'POST', url: '/logout', headers: alice.headers })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    await expectRejected(t, app, [alice.access, alice.refresh])
    await expectAccepted(t, app, [other.access_token])
    t.equal(await sessionRows(app, alice.id), 1, 'the session row is gone')
  })

  t.test('POST /logout/all revokes every session of the user', async (t) => {
    const bob = await account(app, 'bob')
    const second = await login(app, 'bob', 'password-123')
    const third = await login(app, 'bob', 'password-123')
    const carol = await account(app, 'carol')
    const res = await app.inject({ method: 'POST', url: '/logout/all', headers: bearer(second.access_token) })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String, revoked_sessions: 3 })
    await expectRejected(t, app, [bob.access, bob.refresh, second.access_token, second.refresh_token, third.access_token, third.refresh_token])
    t.equal(await sessionRows(app, bob.id), 0)
    await expectAccepted(t, app, [carol.access])
  })
})

t.test('GET /me/sessions', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const phone = await loginWithAgent(app, 'alice', 'Phone/1.0')
  const laptop = await loginWithAgent(app, 'alice', 'Laptop/2.0')
  const bob = await account(app, 'bob')
  await app.inject({ method: 'POST', url: '/logout', headers: alice.headers })

  const res = await app.inject({ method: 'GET', url: '/me/sessions', headers: bearer(laptop.access_token) })
  t.equal(res.statusCode, 200)
  const page = res.json()
  t.match(page, { total: 2, limit: 20, offset: 0 })
  t.same(new Set(page.data.map((s: { id: string }) => s.id)), new Set([sidOf(phone.access_token), sidOf(laptop.access_token)]), 'one row per live session, no revoked or foreign ones')
  const current = page.data.filter((s: { current: boolean }) => s.current)
  t.equal(current.length, 1, 'exactly one current')
  t.match(current[0], { id: sidOf(laptop.access_token), user_agent: 'Laptop/2.0', created_at: String, last_used_at: String, expires_at: String })
  t.match(page.data.find((s: { id: string }) => s.id === sidOf(phone.access_token)), { user_agent: 'Phone/1.0', current: false })

  const one = (await app.inject({ method: 'GET', url: '/me/sessions?limit=1&offset=1', headers: bearer(laptop.access_token) })).json()
  t.match(one, { total: 2, limit: 1, offset: 1 })
  t.equal(one.data.length, 1)
  expectError(t, await app.inject({ method: 'GET', url: '/me/sessions?limit=0', headers: bob.headers }), 400, 'validation_error')
  const bobs = (await app.inject({ method: 'GET', url: '/me/sessions', headers: bob.headers })).json()
  t.equal(bobs.total, 1, 'bob sees only his own')
})

t.test('DELETE /me/sessions/{sid}', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const other = await login(app, 'alice', 'password-123')
  const bob = await account(app, 'bob')
  const del = (headers: { authorization: string }, sid: string) => app.inject({ method: 'DELETE', url: `/me/sessions/${sid}`, headers })

  t.test('needs a fresh token', async (t) => {
    const stale = (await refresh(app, (await login(app, 'alice', 'password-123')).refresh_token)).json()
    expectError(t, await del(bearer(stale.access_token), sidOf(other.access_token)), 401, 'fresh_token_required')
    await expectAccepted(t, app, [other.access_token])
  })

  t.test('unknown, foreign and malformed ids', async (t) => {
    expectError(t, await del(alice.headers, randomUUID()), 404, 'not_found')
    expectError(t, await del(alice.headers, sidOf(bob.access)), 404, 'not_found')
    await expectAccepted(t, app, [bob.access])
    expectError(t, await del(alice.headers, 'not-a-uuid'), 400, 'validation_error')
  })

  t.test('revokes that session only', async (t) => {
    const res = await del(alice.headers, sidOf(other.access_token))
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    await expectRejected(t, app, [other.access_token, other.refresh_token])
    await expectAccepted(t, app, [alice.access, alice.refresh])
  })
})

t.test('PUT /me/password', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const other = await login(app, 'alice', 'password-123')
  const change = (current_password: string, new_password: string) =>
    app.inject({ method: 'PUT', url: '/me/password', headers: alice.headers, payload: { current_password, new_password } })
  const tryLogin = (password: string) => app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password } })

  t.test('a wrong current password changes nothing', async (t) => {
    expectError(t, await change('wrong-password', 'new-password-456'), 403, 'invalid_credentials')
    t.equal((await tryLogin('password-123')).statusCode, 200, 'the old password still works')
    expectError(t, await tryLogin('new-password-456'), 401, 'invalid_credentials')
    await expectAccepted(t, app, [other.access_token])
  })

  t.test('the right one changes it and ends the other sessions', async (t) => {
    const res = await change('password-123', 'new-password-456')
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    await expectAccepted(t, app, [alice.access])
    await expectRejected(t, app, [other.access_token, other.refresh_token])
    expectError(t, await tryLogin('password-123'), 401, 'invalid_credentials')
    t.equal((await tryLogin('new-password-456')).statusCode, 200)
  })
})

t.test('revocations survive a restart', async (t) => {
  const database = onPostgres ? await postgresSchema(t) : join(tempDir(t), 'stores.db')
  const env = { DATABASE_URL: database, JWT_SECRET_KEY: TEST_SECRET }
  const first = await build(t, env)
  const alice = await account(first, 'alice')
  const kept = await login(first, 'alice', 'password-123')
  t.equal((await first.inject({ method: 'POST', url: '/logout', headers: alice.headers })).statusCode, 200)
  await first.close()

  const second = await build(t, env)
  await expectRejected(t, second, [alice.access, alice.refresh])
  await expectAccepted(t, second, [kept.access_token, kept.refresh_token])
})

t.test('expired sessions are rejected and pruned', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const old = await login(app, 'alice', 'password-123')
  t.equal(await sessionRows(app), 2)

  // Expired at its creation: a moment in the past in either database's time type.
  await rawQuery(app, sql`UPDATE sessions SET expires_at = created_at WHERE id = ${sidOf(old.access_token)}`)
  await expectRejected(t, app, [old.access_token, old.refresh_token])
  const listed = (await app.inject({ method: 'GET', url: '/me/sessions', headers: alice.headers })).json()
  t.equal(listed.total, 1, 'an expired session is not listed')

  t.equal(await app.repos.sessions.pruneExpired(new Date()), 1)
  t.equal(await sessionRows(app), 1, 'the expired row is gone')
  await expectAccepted(t, app, [alice.access])

  // A month from now every session has ended.
  t.equal(await app.repos.sessions.pruneExpired(new Date(Date.now() + 31 * 86400e3)), 1)
  t.equal(await sessionRows(app), 0)
  await expectRejected(t, app, [alice.access])
})

t.test('no token outlives its session', async (t) => {
  const app = await build(t, { JWT_REFRESH_TOKEN_EXPIRES: '60s', JWT_ACCESS_TOKEN_EXPIRES: '15m' })
  const alice = await account(app, 'alice')
  const pair = await login(app, 'alice', 'password-123')
  for (const token of [alice.access, pair.access_token, pair.refresh_token]) {
    const claims = decodeJwt(token)
    t.ok((claims.exp as number) - (claims.iat as number) <= 60, `${claims.type} token ends with the 60 s session`)
  }
  t.ok(pair.expires_in <= 60, 'expires_in is capped')
  t.ok(pair.refresh_expires_in <= 60)

  const normal = await build(t)
  const bob = await account(normal, 'bob')
  const claims = decodeJwt(bob.access)
  t.equal((claims.exp as number) - (claims.iat as number), 900, 'without the cap the access token lives 15 minutes')
})

const COOKIE_ENV = { JWT_TOKEN_LOCATION: 'headers,cookies' }

/** Logs in and returns the response and its cookies by name. */
async function cookieLogin(app: App, username: string, password = 'password-123') {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
  return { res, jar: cookiesOf(res) }
}

function cookiesOf(res: LightMyRequestResponse) {
  return Object.fromEntries(res.cookies.map((c) => [c.name, c]))
}

t.test('cookie mode', async (t) => {
  const app = await build(t, COOKIE_ENV)
  await account(app, 'alice')

  t.test('/login sets the token and CSRF cookies', async (t) => {
    const { res, jar } = await cookieLogin(app, 'alice')
    const { access_token, refresh_token } = res.json()
    t.match(jar.access_token_cookie, { value: access_token, path: '/', httpOnly: true, sameSite: 'Lax', secure: true })
    t.match(jar.refresh_token_cookie, { value: refresh_token, path: '/refresh', httpOnly: true, sameSite: 'Lax', secure: true })
    t.match(jar.csrf_access_token, { path: '/', sameSite: 'Lax', secure: true })
    t.match(jar.csrf_refresh_token, { path: '/', sameSite: 'Lax', secure: true }, 'readable from any page (the web app)')
    t.notOk(jar.csrf_access_token?.httpOnly, 'csrf_access_token is readable')
    t.notOk(jar.csrf_refresh_token?.httpOnly, 'csrf_refresh_token is readable')
    t.ok(jar.csrf_access_token?.value, 'a CSRF value is set')
    t.equal(jar.csrf_access_token?.value, decodeJwt(access_token).csrf)
    t.equal(jar.csrf_refresh_token?.value, decodeJwt(refresh_token).csrf)
    t.not(jar.csrf_access_token?.value, jar.csrf_refresh_token?.value)
  })

  t.test('JWT_COOKIE_SECURE=false drops Secure', async (t) => {
    const plain = await build(t, { ...COOKIE_ENV, JWT_COOKIE_SECURE: 'false' })
    await account(plain, 'bob')
    const { jar } = await cookieLogin(plain, 'bob')
    t.equal(Object.keys(jar).length, 4)
    for (const cookie of Object.values(jar)) t.notOk(cookie.secure, `${cookie.name} is not Secure`)
  })

  t.test('the access cookie authenticates; changes need X-CSRF-Token', async (t) => {
    const { jar } = await cookieLogin(app, 'alice')
    const cookies = { access_token_cookie: jar.access_token_cookie?.value ?? '' }
    const csrf = jar.csrf_access_token?.value ?? ''
    const res = await app.inject({ method: 'GET', url: '/me', cookies })
    t.equal(res.statusCode, 200)
    t.equal(res.json().username, 'alice')
    const createStore = (headers: Record<string, string>, name: string) =>
      app.inject({ method: 'POST', url: '/store', cookies, headers, payload: { name } })
    expectError(t, await createStore({}, 'no-csrf'), 401, 'csrf_mismatch')
    expectError(t, await createStore({ 'x-csrf-token': `${csrf}x` }, 'wrong-csrf'), 401, 'csrf_mismatch')
    expectError(t, await createStore({ 'x-csrf-token': jar.csrf_refresh_token?.value ?? '' }, 'other-csrf'), 401, 'csrf_mismatch')
    t.equal((await createStore({ 'x-csrf-token': csrf }, 'with-csrf')).statusCode, 201)
    const stores = (await app.inject({ method: 'GET', url: '/store' })).json()
    t.same(stores.data.map((s: { name: string }) => s.name), ['with-csrf'], 'only the CSRF-checked request created a store')
  })

  t.test('a Bearer header wins over cookies', async (t) => {
    const { res, jar } = await cookieLogin(app, 'alice')
    const valid = jar.access_token_cookie?.value ?? ''
    const headerWins = await app.inject({ method: 'GET', url: '/me', headers: bearer(res.json().access_token), cookies: { access_token_cookie: 'garbage' } })
    t.equal(headerWins.statusCode, 200)
    const badHeader = await app.inject({ method: 'GET', url: '/me', headers: bearer('garbage'), cookies: { access_token_cookie: valid } })
    expectError(t, badHeader, 401, 'invalid_token')
  })

  t.test('/refresh with the refresh cookie rotates and sets new cookies', async (t) => {
    const { jar } = await cookieLogin(app, 'alice')
    const cookies = { refresh_token_cookie: jar.refresh_token_cookie?.value ?? '' }
    expectError(t, await app.inject({ method: 'POST', url: '/refresh', cookies }), 401, 'csrf_mismatch')
    const res = await app.inject({ method: 'POST', url: '/refresh', cookies, headers: { 'x-csrf-token': jar.csrf_refresh_token?.value ?? '' } })
    t.equal(res.statusCode, 200)
    const next = cookiesOf(res)
    const pair = res.json()
    t.equal(next.access_token_cookie?.value, pair.access_token)
    t.equal(next.refresh_token_cookie?.value, pair.refresh_token)
    t.not(next.refresh_token_cookie?.value, jar.refresh_token_cookie?.value, 'a new refresh cookie')
    t.equal(next.csrf_refresh_token?.value, decodeJwt(pair.refresh_token).csrf)
    t.equal(next.csrf_access_token?.value, decodeJwt(pair.access_token).csrf)
    t.equal((await app.inject({ method: 'GET', url: '/me', cookies: { access_token_cookie: pair.access_token } })).statusCode, 200)
  })

  for (const url of ['/logout', '/logout/all']) {
    t.test(`${url} clears the cookies`, async (t) => {
      const { jar } = await cookieLogin(app, 'alice')
      const access = jar.access_token_cookie?.value ?? ''
      const res = await app.inject({
        method: 'POST',
        url,
        cookies: { access_token_cookie: access },
        headers: { 'x-csrf-token': jar.csrf_access_token?.value ?? '' },
      })
      t.equal(res.statusCode, 200)
      const cleared = cookiesOf(res)
      const expected = { access_token_cookie: '/', csrf_access_token: '/', refresh_token_cookie: '/refresh', csrf_refresh_token: '/' }
      for (const [name, path] of Object.entries(expected)) {
        const cookie = cleared[name]
        t.equal(cookie?.value, '', `${name} emptied`)
        t.equal(cookie?.path, path, `${name} on its path`)
        t.ok(cookie?.expires && cookie.expires.getTime() <= Date.now(), `${name} expired`)
        t.match(cookie, { secure: true, sameSite: 'Lax' }, `${name} cleared with the attributes it was set with`)
      }
      expectError(t, await app.inject({ method: 'GET', url: '/me', cookies: { access_token_cookie: access } }), 401, 'token_revoked')
    })
  }
})

t.test('headers mode ignores cookies', async (t) => {
  const app = await build(t, { JWT_TOKEN_LOCATION: 'headers' })
  await account(app, 'alice')
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: 'password-123' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['set-cookie'], undefined, 'no cookies set')
  const cookieOnly = await app.inject({ method: 'GET', url: '/me', cookies: { access_token_cookie: res.json().access_token } })
  expectError(t, cookieOnly, 401, 'authorization_required')
})
