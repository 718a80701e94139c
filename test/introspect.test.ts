// POST /introspect (RFC 7662): other services ask whether a token is valid now. Active only when
// the service itself would accept it (signature, expiry, session, user); anything else is
// `{ active: false }`; the route needs INTROSPECTION_TOKEN and does not exist without it.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { accessClaims, account, bearer, build, decodeJwt, expectError, login, signJwt } from './helper.js'
import { kidOf, sharedUrl } from './keys/helpers.js'
import type { App } from '../src/app.js'

const CREDENTIAL = 'introspection-credential-0123456789abcdef'
const FORM = 'application/x-www-form-urlencoded'

type Body = { form: string } | { json: unknown }

/** POST /introspect with `credential` as bearer (null: no Authorization header). */
function introspect(app: App, body: Body, credential: string | null = CREDENTIAL) {
  const headers: Record<string, string> = credential === null ? {} : { authorization: `Bearer ${credential}` }
  if ('form' in body) return app.inject({ method: 'POST', url: '/introspect', headers: { ...headers, 'content-type': FORM }, payload: body.form })
  return app.inject({ method: 'POST', url: '/introspect', headers, payload: body.json as object })
}

/** The answer for `token`, asked both ways (form and JSON): they must agree. */
async function ask(t: Test, app: App, token: string) {
  const form = await introspect(app, { form: new URLSearchParams({ token }).toString() })
  const json = await introspect(app, { json: { token } })
  t.equal(form.statusCode, 200, `form: 200 (${form.body.slice(0, 120)})`)
  t.equal(form.headers['cache-control'], 'no-store', 'never cached')
  t.same(json.json(), form.json(), 'JSON body: the same answer')
  return form.json() as Record<string, unknown>
}

async function inactive(t: Test, app: App, token: string, what: string) {
  t.same(await ask(t, app, token), { active: false }, what)
}

t.test('introspection on one app', async (t) => {
  const app = await build(t, { INTROSPECTION_TOKEN: CREDENTIAL })
  const admin = await account(app, 'admin')
  const alice = await account(app, 'alice')

  t.test('live access and refresh tokens are active, with what they say', async (t) => {
    const access = await ask(t, app, alice.access)
    const claims = decodeJwt(alice.access)
    t.same(access, {
      active: true,
      sub: String(alice.id),
      username: 'alice',
      token_type: 'access',
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      sid: claims.sid,
      roles: ['user'],
    })
    t.match(await ask(t, app, alice.refresh), { active: true, token_type: 'refresh', sid: claims.sid, jti: decodeJwt(alice.refresh).jti })
    t.match(await ask(t, app, signJwt(decodeJwt(alice.access))), { active: true }, 'a kid-less HS256 token of the current secret')
  })

  t.test('roles are the current ones, as the service decides by them', async (t) => {
    const bob = await account(app, 'bob')
    const patch = await app.inject({ method: 'PATCH', url: `/user/${bob.id}`, headers: admin.headers, payload: { roles: ['admin', 'user'] } })
    t.equal(patch.statusCode, 200)
    t.match(await ask(t, app, bob.access), { active: true, roles: ['admin', 'user'] })
  })

  t.test('revoked, retired, expired, deactivated, deleted and garbage tokens are inactive', async (t) => {
    const carol = await account(app, 'carol')
    t.equal((await app.inject({ method: 'POST', url: '/logout', headers: carol.headers })).statusCode, 200)
    await inactive(t, app, carol.access, 'logged out: the access token')
    await inactive(t, app, carol.refresh, 'and the refresh token')

    const dave = await account(app, 'dave')
    const rotated = await app.inject({ method: 'POST', url: '/refresh', headers: bearer(dave.refresh) })
    t.equal(rotated.statusCode, 200)
    await inactive(t, app, dave.refresh, 'a retired refresh token')
    t.match(await ask(t, app, rotated.json().refresh_token), { active: true }, 'introspecting it revoked nothing')

    const now = Math.floor(Date.now() / 1000)
    await inactive(t, app, signJwt(accessClaims(alice.access, { iat: now - 100, nbf: now - 100, exp: now - 10 })), 'expired')
    await inactive(t, app, signJwt(accessClaims(alice.access, { nbf: now + 300 })), 'not yet valid')
    await inactive(t, app, signJwt(accessClaims(alice.access), undefined, 'not-the-secret-not-the-secret-0123456789'), 'a bad signature')
    await inactive(t, app, signJwt(accessClaims(alice.access, { sid: randomUUID() })), 'an unknown session')

    const erin = await account(app, 'erin')
    const off = await app.inject({ method: 'PATCH', url: `/user/${erin.id}`, headers: admin.headers, payload: { is_active: false } })
    t.equal(off.statusCode, 200)
    await inactive(t, app, erin.access, 'a deactivated user')
    const frank = await account(app, 'frank')
    t.equal((await app.inject({ method: 'DELETE', url: `/user/${frank.id}`, headers: frank.headers })).statusCode, 200)
    await inactive(t, app, frank.access, 'a deleted user')

    for (const garbage of ['garbage', 'a.b.c', `${alice.access}x`, alice.access.split('.').slice(0, 2).join('.'), 'x'.repeat(20_000), '🔑']) {
      await inactive(t, app, garbage, `garbage ${garbage.slice(0, 20)}`)
    }
  })

  t.test('the body: a form or JSON with a token; anything else is 400 or 415', async (t) => {
    const ok = await introspect(app, { form: `token=${alice.access}&token_type_hint=access_token` })
    t.match(ok.json(), { active: true }, 'the hint is accepted (and ignored)')
    for (const form of ['', 'token=', 'tok=x', `token=${alice.access}&token=${admin.access}`, `token=${alice.access}&client_id=x`, `token=${alice.access}&__proto__=x`]) {
      expectError(t, await introspect(app, { form }), 400, 'validation_error')
    }
    for (const json of [{}, { token: '' }, { token: 42 }, { token: alice.access, extra: true }]) {
      expectError(t, await introspect(app, { json }), 400, 'validation_error')
    }
    const empty = await app.inject({ method: 'POST', url: '/introspect', headers: bearer(CREDENTIAL) })
    expectError(t, empty, 400, 'validation_error')
    const text = await app.inject({ method: 'POST', url: '/introspect', headers: { ...bearer(CREDENTIAL), 'content-type': 'text/plain' }, payload: alice.access })
    expectError(t, text, 415, 'unsupported_media_type')
    const elsewhere = await app.inject({ method: 'POST', url: '/store', headers: { ...admin.headers, 'content-type': FORM }, payload: 'name=Shop' })
    expectError(t, elsewhere, 415, 'unsupported_media_type')
  })

  t.test('the introspection credential: missing, wrong or a user token is 401', async (t) => {
    const res = await introspect(app, { json: { token: alice.access } }, null)
    expectError(t, res, 401, 'authorization_required')
    t.equal(res.headers['www-authenticate'], 'Bearer realm="stores-api"')
    for (const wrong of [`${CREDENTIAL}x`, CREDENTIAL.slice(0, -1), 'x', admin.access]) {
      const bad = await introspect(app, { json: { token: alice.access } }, wrong)
      expectError(t, bad, 401, 'invalid_token')
      t.match(bad.headers['www-authenticate'], /error="invalid_token"/)
    }
    const basic = await app.inject({ method: 'POST', url: '/introspect', headers: { authorization: `Basic ${CREDENTIAL}` }, payload: { token: alice.access } })
    expectError(t, basic, 401, 'invalid_header')
  })

  t.test('with JWT_ISSUER and JWT_AUDIENCE, iss and aud are part of the answer', async (t) => {
    const scoped = await build(t, { INTROSPECTION_TOKEN: CREDENTIAL, JWT_ISSUER: 'https://stores.example', JWT_AUDIENCE: 'stores-clients' })
    const user = await account(scoped, 'alice')
    t.match(await ask(t, scoped, user.access), { active: true, iss: 'https://stores.example', aud: 'stores-clients' })
  })
})

t.test('without INTROSPECTION_TOKEN the route does not exist', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const res = await introspect(app, { form: `token=${alice.access}` })
  const unknown = await app.inject({ method: 'POST', url: '/no-such-route', headers: bearer(CREDENTIAL), payload: { token: alice.access } })
  expectError(t, res, 404, 'not_found')
  t.same(res.json(), { ...unknown.json(), message: 'No route POST /introspect.' }, 'the 404 of any unknown route')
  expectError(t, await introspect(app, { json: { token: alice.access } }, null), 404, 'not_found')
})

t.test('EdDSA, two apps: a token of a key this app has not loaded yet is introspected as active', async (t) => {
  const DATABASE_URL = await sharedUrl(t)
  const env = { JWT_ALGORITHM: 'EdDSA', INTROSPECTION_TOKEN: CREDENTIAL, DATABASE_URL }
  const a = await build(t, env)
  const b = await build(t, env)
  const admin = await account(a, 'admin')
  const { kid } = (await a.inject({ method: 'POST', url: '/keys/rotate', headers: admin.headers })).json() as { kid: string }
  const token = (await login(a, 'admin', 'password-123')).access_token
  t.equal(kidOf(token), kid)
  t.match(await ask(t, b, token), { active: true, sub: String(admin.id), username: 'admin' })
  t.match(await ask(t, b, admin.access), { active: true }, 'and one of the retired key')
  await inactive(t, b, signJwt(decodeJwt(token)), 'an HS256 token, even signed with JWT_SECRET_KEY')
})
