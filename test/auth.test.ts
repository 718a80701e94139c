import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../src/app.js'
import { TEST_SECRET, accessClaims, account, bearer, build, decodeJwt, expectError, login, rawQuery, signJwt } from './helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const now = () => Math.floor(Date.now() / 1000)

const me = (app: App, headers: Record<string, string> = {}, url = '/me') => app.inject({ method: 'GET', url, headers })

/** A 401 for a presented token: the code, and an RFC 6750 challenge naming the error. */
function expectTokenError(t: Test, res: LightMyRequestResponse, code: string) {
  expectError(t, res, 401, code)
  t.match(
    res.headers['www-authenticate'],
    /^Bearer realm="stores-api", error="invalid_token", error_description="[^"]+"$/,
    'challenge with error="invalid_token" and a description',
  )
}

/** A JWT signed with HMAC-SHA384/512 (correctly, for that algorithm) and TEST_SECRET. */
function signHs(bits: 384 | 512, payload: Record<string, unknown>) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${part({ alg: `HS${bits}`, typ: 'JWT' })}.${part(payload)}`
  return `${input}.${createHmac(`sha${bits}`, TEST_SECRET).update(input).digest('base64url')}`
}

const patchUser = (app: App, adminToken: string, id: number, payload: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url: `/user/${id}`, headers: bearer(adminToken), payload })

const app = await build(t)
const admin = await account(app, 'admin')
const alice = await account(app, 'alice')

t.test('no token on a protected route: authorization_required with a bare challenge', async (t) => {
  const res = await me(app)
  expectError(t, res, 401, 'authorization_required')
  t.equal(res.headers['www-authenticate'], 'Bearer realm="stores-api"')
  t.notMatch(res.headers['www-authenticate'], /error=/)
})

t.test('an Authorization header that is not "Bearer <token>": invalid_header', async (t) => {
  for (const value of ['Basic xyz', 'Bearer', '', `Token ${alice.access}`, `Bearer ${alice.access} extra`]) {
    const res = await me(app, { authorization: value })
    expectError(t, res, 401, 'invalid_header')
    t.match(res.headers['www-authenticate'], /^Bearer realm="stores-api"/, `challenge for "${value.slice(0, 20)}"`)
  }
})

t.test('the scheme name is case-insensitive', async (t) => {
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
    const res = await me(app, { authorization: `${scheme} ${alice.access}` })
    t.equal(res.statusCode, 200, scheme)
    t.equal(res.json().username, 'alice')
  }
})

t.test('a token in the URL is ignored', async (t) => {
  const res = await me(app, {}, `/me?access_token=${alice.access}`)
  expectError(t, res, 401, 'authorization_required')
  t.notMatch(res.headers['www-authenticate'], /error=/)
})

t.test('a crafted token with every claim right is accepted (baseline for the rejections below)', async (t) => {
  const res = await me(app, bearer(signJwt(accessClaims(alice.access))))
  t.equal(res.statusCode, 200)
  t.equal(res.json().id, alice.id)
})

t.test('an expired token: token_expired', async (t) => {
  const token = signJwt(accessClaims(alice.access, { iat: now() - 1000, nbf: now() - 1000, exp: now() - 10 }))
  const res = await me(app, bearer(token))
  expectTokenError(t, res, 'token_expired')
  t.match(res.headers['www-authenticate'], /error_description="The token has expired\."/)
})

t.test('a token signed with another secret: invalid_token', async (t) => {
  const token = signJwt(accessClaims(alice.access), undefined, 'another-secret-another-secret-0123456789')
  expectTokenError(t, await me(app, bearer(token)), 'invalid_token')
})

t.test('alg "none" in any spelling, signed or not: invalid_token', async (t) => {
  for (const alg of ['none', 'None', 'NONE']) {
    const signed = signJwt(accessClaims(alice.access), { alg, typ: 'JWT' })
    const unsigned = signed.replace(/[^.]+$/, '')
    expectTokenError(t, await me(app, bearer(signed)), 'invalid_token')
    expectTokenError(t, await me(app, bearer(unsigned)), 'invalid_token')
  }
})

t.test('only HS256 verifies: HS384, HS512 and RS256 tokens are invalid_token', async (t) => {
  const claims = accessClaims(alice.access)
  expectTokenError(t, await me(app, bearer(signHs(384, claims))), 'invalid_token')
  expectTokenError(t, await me(app, bearer(signHs(512, claims))), 'invalid_token')
  // Key confusion: an RS256 header over an HMAC signature made with the shared secret.
  expectTokenError(t, await me(app, bearer(signJwt(claims, { alg: 'RS256', typ: 'JWT' }))), 'invalid_token')
})

t.test('a token lacking a required claim: invalid_token', async (t) => {
  for (const claim of ['sub', 'type', 'jti', 'sid', 'iat', 'exp', 'fresh']) {
    const claims: Record<string, unknown> = accessClaims(alice.access)
    delete claims[claim]
    t.test(`without ${claim}`, async (t) => expectTokenError(t, await me(app, bearer(signJwt(claims))), 'invalid_token'))
  }
})

t.test('a claim of the wrong type: invalid_token', async (t) => {
  const wrong: Record<string, unknown>[] = [
    { sub: alice.id },
    { fresh: 'true' },
    { type: 'ACCESS' },
    { jti: 'not-a-uuid' },
    { sid: 42 },
    { exp: String(now() + 900) },
  ]
  for (const overrides of wrong) {
    const res = await me(app, bearer(signJwt(accessClaims(alice.access, overrides))))
    expectTokenError(t, res, 'invalid_token')
  }
})

t.test('nbf in the future: invalid_token', async (t) => {
  const token = signJwt(accessClaims(alice.access, { nbf: now() + 300 }))
  expectTokenError(t, await me(app, bearer(token)), 'invalid_token')
})

t.test('a refresh token where an access token is needed, and the reverse: wrong_token_type', async (t) => {
  const pair = await login(app, 'alice', alice.password)
  expectTokenError(t, await me(app, bearer(pair.refresh_token)), 'wrong_token_type')
  const res = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(pair.access_token) })
  expectTokenError(t, res, 'wrong_token_type')
  // The refresh token was not consumed by the failed /me call.
  const ok = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(pair.refresh_token) })
  t.equal(ok.statusCode, 200)
})

t.test('a non-fresh access token on a fresh route: fresh_token_required', async (t) => {
  const createStore = (token: string, name: string) =>
    app.inject({ method: 'POST', url: '/store', headers: bearer(token), payload: { name } })
  const pair = await login(app, 'alice', alice.password)
  const refreshed = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(pair.refresh_token) })
  t.equal(refreshed.statusCode, 200)
  const stale = refreshed.json().access_token as string
  t.equal(decodeJwt(stale).fresh, false, '/refresh issues non-fresh access tokens')

  expectTokenError(t, await createStore(stale, 'stale-store'), 'fresh_token_required')
  t.equal((await me(app, bearer(stale))).statusCode, 200, 'a non-fresh token still works on access routes')
  const crafted = signJwt(accessClaims(alice.access, { fresh: false }))
  expectTokenError(t, await createStore(crafted, 'crafted-store'), 'fresh_token_required')

  const list = await app.inject({ method: 'GET', url: '/store?name=-store' })
  t.equal(list.json().total, 0, 'no store was created')
  t.equal((await createStore(pair.access_token, 'fresh-store')).statusCode, 201, 'a fresh token may')
})

t.test('a non-admin on an admin route: 403 admin_required', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/users', headers: alice.headers })
  expectError(t, res, 403, 'admin_required')
  t.equal((await app.inject({ method: 'GET', url: '/users', headers: admin.headers })).statusCode, 200)
})

t.test('a token whose user was deleted from the database: user_not_found', async (t) => {
  const bob = await account(app, 'bob')
  t.equal((await me(app, bob.headers)).statusCode, 200)
  await rawQuery(app, sql`DELETE FROM users WHERE id = ${bob.id}`)
  expectTokenError(t, await me(app, bob.headers), 'user_not_found')
})

t.test('a token whose user deleted their account: user_not_found', async (t) => {
  const carol = await account(app, 'carol')
  const del = await app.inject({ method: 'DELETE', url: `/user/${carol.id}`, headers: carol.headers })
  t.equal(del.statusCode, 200)
  expectTokenError(t, await me(app, carol.headers), 'user_not_found')
  t.equal(await app.repos.users.findById(carol.id), undefined)
})

t.test('a deactivated user: 401 user_inactive with the old token', async (t) => {
  const dave = await account(app, 'dave')
  const res = await patchUser(app, admin.access, dave.id, { is_active: false })
  t.equal(res.statusCode, 200)
  t.equal(res.json().is_active, false)
  expectTokenError(t, await me(app, dave.headers), 'user_inactive')
  expectTokenError(t, await app.inject({ method: 'POST', url: '/refresh', headers: bearer(dave.refresh) }), 'user_inactive')
})

t.test('roles come from the current user record: promotion and demotion act at once', async (t) => {
  const erin = await account(app, 'erin')
  const listUsers = () => app.inject({ method: 'GET', url: '/users', headers: erin.headers })
  expectError(t, await listUsers(), 403, 'admin_required')

  t.equal((await patchUser(app, admin.access, erin.id, { roles: ['admin', 'user'] })).statusCode, 200)
  t.equal((await listUsers()).statusCode, 200, 'promoted: the old token now passes admin routes')

  t.equal((await patchUser(app, admin.access, erin.id, { roles: ['user'] })).statusCode, 200)
  expectError(t, await listUsers(), 403, 'admin_required')
  t.equal((await me(app, erin.headers)).statusCode, 200, 'a demoted user keeps their session')
})

t.test('tampered is_admin/roles claims, re-signed with the right secret, grant nothing', async (t) => {
  const token = signJwt(accessClaims(alice.access, { is_admin: true, roles: ['admin', 'user'] }))
  expectError(t, await app.inject({ method: 'GET', url: '/users', headers: bearer(token) }), 403, 'admin_required')
  const self = await me(app, bearer(token))
  t.equal(self.statusCode, 200)
  t.match(self.json(), { is_admin: false, roles: ['user'] })
})

t.test('the claims of a real login token', async (t) => {
  const pair = await login(app, 'alice', alice.password)
  const access = decodeJwt(pair.access_token)
  t.match(access, {
    sub: String(alice.id),
    type: 'access',
    fresh: true,
    jti: UUID,
    sid: UUID,
    iat: Number,
    nbf: Number,
    exp: Number,
    is_admin: false,
    roles: ['user'],
  })
  t.equal(access.exp as number - (access.iat as number), 900, 'access tokens live 15 minutes')
  t.ok(Number.isInteger(access.iat) && Number.isInteger(access.nbf) && Number.isInteger(access.exp))
  t.notOk('iss' in access || 'aud' in access, 'no iss/aud unless configured')

  const refresh = decodeJwt(pair.refresh_token)
  t.match(refresh, { sub: String(alice.id), type: 'refresh', sid: access.sid, jti: UUID })
  t.not(refresh.jti, access.jti)
  t.notOk('fresh' in refresh, 'refresh tokens carry no fresh claim')
  t.equal(refresh.exp as number - (refresh.iat as number), 30 * 86400)

  t.match(decodeJwt(admin.access), { is_admin: true, roles: ['admin', 'user'] })
})

t.test('with JWT_ISSUER and JWT_AUDIENCE set', async (t) => {
  const env = { JWT_ISSUER: 'https://stores.example', JWT_AUDIENCE: 'stores-clients' }
  const scoped = await build(t, env)
  const user = await account(scoped, 'alice')
  t.match(decodeJwt(user.access), { iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE })
  t.equal((await me(scoped, user.headers)).statusCode, 200)
  t.equal((await me(scoped, bearer(signJwt(accessClaims(user.access))))).statusCode, 200, 'crafted with the right iss/aud')

  const cases: [string, Record<string, unknown>][] = [
    ['wrong iss', { iss: 'https://evil.example' }],
    ['wrong aud', { aud: 'other-service' }],
    ['missing iss', { iss: undefined }],
    ['missing aud', { aud: undefined }],
    ['missing both', { iss: undefined, aud: undefined }],
  ]
  for (const [name, overrides] of cases) {
    const token = signJwt(accessClaims(user.access, overrides))
    t.test(name, async (t) => expectTokenError(t, await me(scoped, bearer(token)), 'invalid_token'))
  }
})

t.test('JWT_LEEWAY applies to exp and nbf', async (t) => {
  const lenient = await build(t, { JWT_LEEWAY: '60' })
  const user = await account(lenient, 'alice')
  const check = (overrides: Record<string, unknown>) => me(lenient, bearer(signJwt(accessClaims(user.access, overrides))))
  const past = now() - 1000
  t.equal((await check({ iat: past, nbf: past, exp: now() - 30 })).statusCode, 200, 'expired 30 s ago: within leeway')
  expectTokenError(t, await check({ iat: past, nbf: past, exp: now() - 120 }), 'token_expired')
  t.equal((await check({ nbf: now() + 30 })).statusCode, 200, 'nbf 30 s ahead: within leeway')
  expectTokenError(t, await check({ nbf: now() + 120 }), 'invalid_token')
})

t.test('JWT_ACCESS_TOKEN_EXPIRES sets the access token lifetime', async (t) => {
  const short = await build(t, { JWT_ACCESS_TOKEN_EXPIRES: '30s' })
  await account(short, 'alice')
  const pair = await login(short, 'alice', 'password-123')
  t.equal(pair.expires_in, 30)
  const claims = decodeJwt(pair.access_token)
  t.equal(claims.exp as number - (claims.iat as number), 30)
  t.equal(pair.refresh_expires_in, 30 * 86400, 'refresh lifetime unchanged')
})
