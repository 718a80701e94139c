// A battery of forged, tampered and malformed tokens. Each case is sent to a test-only probe
// route of the same auth level (its handler counts calls) and to a real state-changing route;
// both must refuse with the API.md code, the probe's count must not move and no table may change.
import t, { type Test } from 'tap'
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../../src/app.js'
import { secretKid } from '../../src/keys/kid.js'
import { TEST_SECRET, accessClaims, account, bearer, decodeJwt, expectError, login } from '../helper.js'
import { asymmetric, craft, hmac, listen, probeApp, send, snapshot, type ProbeLevel, type RawResponse } from './probe.js'

const HS256 = { alg: 'HS256', typ: 'JWT' }
const ATTACKER_SECRET = 'attacker-secret-attacker-secret-0123456789'
const now = () => Math.floor(Date.now() / 1000)

let cases = 0
let forgeries = 0

interface Arena {
  app: App
  hits: Record<ProbeLevel, number>
  /** A store only an admin may delete: the target of admin-level attacks. */
  victimStore: number
}

async function arena(t: Test, env: Record<string, string> = {}) {
  const { app, hits } = await probeApp(t, env)
  const admin = await account(app, 'admin')
  const victim = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'victim' } })
  return { arena: { app, hits, victimStore: victim.json().id as number } satisfies Arena, admin }
}

/** The real route of each level that would change something if its handler ran. */
function realRoute(a: Arena, level: ProbeLevel, headers: Record<string, string>) {
  const tag = `attack-${cases}`
  switch (level) {
    case 'access':
      return a.app.inject({ method: 'POST', url: '/logout', headers })
    case 'fresh':
      return a.app.inject({ method: 'POST', url: '/store', headers, payload: { name: tag } })
    case 'admin':
      return a.app.inject({ method: 'DELETE', url: `/store/${a.victimStore}`, headers })
    case 'refresh':
      return a.app.inject({ method: 'POST', url: '/refresh', headers })
  }
}

/** 401s carry the RFC 6750 challenge naming the error; a malformed header is invalid_request. */
function expectChallenge(t: Test, header: unknown, code: string) {
  const error = code === 'invalid_header' ? 'invalid_request' : 'invalid_token'
  t.match(header, new RegExp(`^Bearer realm="stores-api", error="${error}", error_description="[^"]+"$`), `challenge error="${error}"`)
}

/**
 * One attack case: the probe and the real route of `level` both answer `status`/`code`, no
 * handler ran and no row changed. A 2xx from either counts as an accepted forgery.
 */
async function refused(t: Test, a: Arena, authorization: string, code: string, level: ProbeLevel = 'fresh', status = 401) {
  cases++
  const before = await snapshot(a.app)
  const hitsBefore = { ...a.hits }
  const headers = { authorization }
  const responses: LightMyRequestResponse[] = [
    await a.app.inject({ method: 'POST', url: `/probe/${level}`, headers }),
    await realRoute(a, level, headers),
  ]
  if (responses.some((r) => r.statusCode < 300)) forgeries++
  for (const res of responses) {
    expectError(t, res, status, code)
    if (status === 401) expectChallenge(t, res.headers['www-authenticate'], code)
  }
  t.same(a.hits, hitsBefore, 'no handler ran')
  t.equal(await snapshot(a.app), before, 'nothing changed in the database')
}

/** A token the service should take: the probe of `level` runs exactly once. */
async function accepted(t: Test, a: Arena, authorization: string, level: ProbeLevel = 'fresh') {
  const before = a.hits[level]
  const res = await a.app.inject({ method: 'POST', url: `/probe/${level}`, headers: { authorization } })
  t.equal(res.statusCode, 200, `accepted (${res.body.slice(0, 120)})`)
  t.equal(a.hits[level], before + 1, 'the handler ran once')
}

/** Replaces claims in a signed token's payload, keeping its header and signature. */
function tamper(token: string, overrides: Record<string, unknown>) {
  const [header, , signature] = token.split('.')
  const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), ...overrides })).toString('base64url')
  return `${header}.${payload}.${signature}`
}

const B = (token: string) => `Bearer ${token}`

const { arena: main, admin } = await arena(t)
const { app } = main
const alice = await account(app, 'alice')
/** Valid claims of a real session of alice's, freshly dated. */
const claims = (overrides: Record<string, unknown> = {}) => accessClaims(alice.access, overrides)
const signed = (payload: unknown, header: unknown = HS256) => craft(header, payload, hmac(TEST_SECRET))

t.test('baseline: a crafted token with the real secret passes every level it should', async (t) => {
  await accepted(t, main, B(signed(claims())), 'fresh')
  await accepted(t, main, B(alice.access), 'access')
  await accepted(t, main, B(admin.access), 'admin')
})

t.test('alg "none" in any spelling, with and without a signature', async (t) => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    await refused(t, main, B(craft({ alg, typ: 'JWT' }, claims(), hmac(TEST_SECRET))), 'invalid_token')
    await refused(t, main, B(craft({ alg, typ: 'JWT' }, claims(), () => '')), 'invalid_token')
  }
  await refused(t, main, B(craft({ typ: 'JWT' }, claims(), hmac(TEST_SECRET))), 'invalid_token')
  await refused(t, main, B(craft({ alg: 'hs256', typ: 'JWT' }, claims(), hmac(TEST_SECRET))), 'invalid_token')
})

t.test('signatures that are not the real one', async (t) => {
  const real = signed(claims())
  const [head, body, sig = ''] = real.split('.')
  await refused(t, main, B(`${head}.${body}.`), 'invalid_token')
  await refused(t, main, B(craft(HS256, claims(), hmac(ATTACKER_SECRET))), 'invalid_token')
  await refused(t, main, B(craft({ alg: 'HS384', typ: 'JWT' }, claims(), hmac(TEST_SECRET, 384))), 'invalid_token')
  await refused(t, main, B(craft({ alg: 'HS512', typ: 'JWT' }, claims(), hmac(TEST_SECRET, 512))), 'invalid_token')
  await refused(t, main, B(`${head}.${body}.${sig.slice(0, -1)}`), 'invalid_token')
  // Another real token's signature over these claims.
  await refused(t, main, B(`${head}.${body}.${alice.access.split('.')[2]}`), 'invalid_token')
  // The same 32 bytes spelt differently: a 43-character base64url string has 2 spare bits.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(sig.at(-1) ?? 'A')
  const twin = alphabet[(last & ~3) | ((last + 1) & 3)]
  await refused(t, main, B(`${head}.${body}.${sig.slice(0, -1)}${twin}`), 'invalid_token')
})

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwkOf = (key: KeyObject) => key.export({ format: 'jwk' })
const pemOf = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString()

t.test('algorithm confusion', async (t) => {
  // Asymmetric headers over an HMAC made with the service's secret, as if it were a public key.
  for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) {
    await refused(t, main, B(craft({ alg, typ: 'JWT' }, claims(), hmac(TEST_SECRET))), 'invalid_token')
  }
  // Genuine RS256 / ES256 signatures from an attacker's key pair.
  await refused(t, main, B(craft({ alg: 'RS256', typ: 'JWT' }, claims(), asymmetric(rsa.privateKey))), 'invalid_token')
  await refused(t, main, B(craft({ alg: 'ES256', typ: 'JWT' }, claims(), asymmetric(ec.privateKey))), 'invalid_token')
  // HS256 keyed with a public key's PEM: the classic RS256 -> HS256 downgrade.
  const header = { ...HS256, jwk: jwkOf(rsa.publicKey) }
  await refused(t, main, B(craft(header, claims(), hmac(pemOf(rsa.publicKey)))), 'invalid_token')
  await refused(t, main, B(craft(HS256, claims(), hmac(pemOf(rsa.publicKey)))), 'invalid_token')
})

t.test('key-naming headers (kid, jku, x5u, jwk, x5c) are never fetched or trusted', async (t) => {
  let fetches = 0
  const keyServer = createServer((_req, res) => {
    fetches++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: [{ ...jwkOf(rsa.publicKey), kid: 'attacker' }, { kty: 'oct', kid: 'oct', k: Buffer.from(ATTACKER_SECRET).toString('base64url') }] }))
  })
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve))
  t.teardown(() => keyServer.close())
  const url = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`

  const rs = (extra: Record<string, unknown>) => B(craft({ alg: 'RS256', typ: 'JWT', ...extra }, claims(), asymmetric(rsa.privateKey)))
  const hs = (extra: Record<string, unknown>, key: string) => B(craft({ ...HS256, ...extra }, claims(), hmac(key)))
  const attacks = [
    rs({ jku: `${url}/jwks.json`, kid: 'attacker' }),
    rs({ x5u: `${url}/cert.pem` }),
    rs({ jwk: jwkOf(rsa.publicKey) }),
    rs({ x5c: ['MIIBattackercert'] }),
    B(craft({ alg: 'ES256', typ: 'JWT', jwk: jwkOf(ec.publicKey) }, claims(), asymmetric(ec.privateKey))),
    hs({ jku: `${url}/jwks.json`, kid: 'oct' }, ATTACKER_SECRET),
    hs({ jwk: { kty: 'oct', k: Buffer.from(ATTACKER_SECRET).toString('base64url') } }, ATTACKER_SECRET),
    hs({ kid: '../../../../../../dev/null' }, '\0'),
    hs({ kid: "x' UNION SELECT 'attacker" }, 'attacker'),
  ]
  for (const authorization of attacks) await refused(t, main, authorization, 'invalid_token')

  // With the service's own secret the signature is authentic: jku, x5u and jwk are ignored (not
  // rejected, never fetched); a kid must be the secret's own (API.md: an unknown kid is invalid_token).
  const ignored = { jku: `${url}/jwks.json`, x5u: `${url}/cert.pem`, jwk: jwkOf(rsa.publicKey) }
  await accepted(t, main, hs(ignored, TEST_SECRET))
  await accepted(t, main, hs({ ...ignored, kid: secretKid(TEST_SECRET) }, TEST_SECRET))
  await refused(t, main, hs({ ...ignored, kid: 'attacker' }, TEST_SECRET), 'invalid_token')
  t.equal(fetches, 0, 'the key server got no request')
  await fetch(`${url}/jwks.json`)
  t.equal(fetches, 1, 'the key server was up and counting')
})

t.test('an unknown crit header is rejected, even correctly signed', async (t) => {
  const headers = [
    { ...HS256, crit: ['exp-ext'], 'exp-ext': true },
    { ...HS256, crit: ['b64'], b64: false },
    { ...HS256, crit: ['missing-ext'] },
    { ...HS256, crit: [] },
    { ...HS256, crit: 'exp-ext', 'exp-ext': true },
  ]
  for (const header of headers) await refused(t, main, B(signed(claims(), header)), 'invalid_token')
})

t.test('every claim tampered after signing, without re-signing', async (t) => {
  const adminClaims = decodeJwt(admin.access)
  const tampering: Record<string, unknown>[] = [
    { sub: adminClaims.sub },
    { type: 'refresh' },
    { fresh: false },
    { is_admin: true },
    { roles: ['admin', 'user'] },
    { exp: now() + 365 * 86400 },
    { sid: adminClaims.sid },
    { jti: randomUUID() },
    { iat: now() + 60 },
    { nbf: 0 },
  ]
  for (const overrides of tampering) await refused(t, main, B(tamper(alice.access, overrides)), 'invalid_token')

  const stale = (await app.inject({ method: 'POST', url: '/refresh', headers: bearer((await login(app, 'alice', alice.password)).refresh_token) })).json()
  await refused(t, main, B(tamper(stale.access_token, { fresh: true })), 'invalid_token')
  await refused(t, main, B(tamper(stale.refresh_token, { type: 'access', fresh: true })), 'invalid_token')
  await refused(t, main, B(tamper(stale.refresh_token, { exp: now() + 365 * 86400 })), 'invalid_token', 'refresh')
  // The header too: same signature under a different header.
  const [, payload, signature] = alice.access.split('.')
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'x' })).toString('base64url')
  await refused(t, main, B(`${header}.${payload}.${signature}`), 'invalid_token')
})

t.test('missing or mistyped claims, correctly signed', async (t) => {
  for (const claim of ['exp', 'sub', 'type', 'jti', 'sid', 'iat', 'fresh']) {
    const payload: Record<string, unknown> = claims()
    delete payload[claim]
    await refused(t, main, B(signed(payload)), 'invalid_token')
  }
  const refreshPayload: Record<string, unknown> = { ...decodeJwt(alice.refresh) }
  delete refreshPayload.jti
  await refused(t, main, B(signed(refreshPayload)), 'invalid_token', 'refresh')
  for (const overrides of [{ sub: alice.id }, { sub: `${alice.id}abc` }, { sub: `0${alice.id}` }, { type: 'admin' }, { exp: String(now() + 900) }]) {
    await refused(t, main, B(signed(claims(overrides))), 'invalid_token')
  }
})

t.test('time claims: nbf in the future, exp in the past', async (t) => {
  await refused(t, main, B(signed(claims({ nbf: now() + 300 }))), 'invalid_token')
  await refused(t, main, B(signed(claims({ iat: now() - 1000, nbf: now() - 1000, exp: now() - 10 }))), 'token_expired')
})

t.test('wrong iss or aud when configured', async (t) => {
  const { arena: scoped } = await arena(t, { JWT_ISSUER: 'https://stores.example', JWT_AUDIENCE: 'stores-clients' })
  const user = await account(scoped.app, 'alice')
  const scopedClaims = (overrides: Record<string, unknown>) => signed(accessClaims(user.access, overrides))
  await accepted(t, scoped, B(scopedClaims({})))
  const wrong = [{ iss: 'https://evil.example' }, { aud: 'other-service' }, { iss: undefined }, { aud: undefined }, { aud: ['other-service'] }]
  for (const overrides of wrong) await refused(t, scoped, B(scopedClaims(overrides)), 'invalid_token')
})

t.test('a token of the wrong type', async (t) => {
  const pair = await login(app, 'alice', alice.password)
  await refused(t, main, B(pair.refresh_token), 'wrong_token_type', 'fresh')
  await refused(t, main, B(pair.refresh_token), 'wrong_token_type', 'access')
  await refused(t, main, B(pair.access_token), 'wrong_token_type', 'refresh')
  await accepted(t, main, B(pair.refresh_token), 'refresh')
})

t.test('tokens of deleted, deactivated, demoted users and revoked sessions', async (t) => {
  const adminHeaders = admin.headers
  const carol = await account(app, 'carol')
  t.equal((await app.inject({ method: 'DELETE', url: `/user/${carol.id}`, headers: carol.headers })).statusCode, 200)
  await refused(t, main, B(carol.access), 'user_not_found')
  await refused(t, main, B(carol.refresh), 'user_not_found', 'refresh')
  await refused(t, main, B(signed(claims({ sub: '2147483647' }))), 'user_not_found')

  const dave = await account(app, 'dave')
  const patch = (id: number, payload: Record<string, unknown>) => app.inject({ method: 'PATCH', url: `/user/${id}`, headers: adminHeaders, payload })
  t.equal((await patch(dave.id, { is_active: false })).statusCode, 200)
  await refused(t, main, B(dave.access), 'user_inactive')
  await refused(t, main, B(dave.refresh), 'user_inactive', 'refresh')

  const erin = await account(app, 'erin')
  t.equal((await patch(erin.id, { roles: ['admin', 'user'] })).statusCode, 200)
  await accepted(t, main, B(erin.access), 'admin')
  t.equal((await patch(erin.id, { roles: ['user'] })).statusCode, 200)
  await refused(t, main, B(erin.access), 'admin_required', 'admin', 403)

  const frank = await account(app, 'frank')
  t.equal((await app.inject({ method: 'POST', url: '/logout', headers: frank.headers })).statusCode, 200)
  await refused(t, main, B(frank.access), 'token_revoked')
  await refused(t, main, B(frank.refresh), 'token_revoked', 'refresh')
})

t.test('malformed tokens and payloads', async (t) => {
  const token = alice.access
  const [head = '', body = '', sig = ''] = token.split('.')
  const malformed = [
    `${token}x`,
    `${token}.abc`,
    `${head}.${body}`,
    `${head}.${body}.${sig}.${sig}.${sig}`,
    `${head}..${sig}`,
    `!${token}`,
    'a.b.c',
    'x'.repeat(64 * 1024),
    `${head}.${body}.${sig}${'A'.repeat(64 * 1024)}`,
    signed([claims()]),
    // Parts given as strings are their raw text: a JSON string, then text that is not JSON.
    signed(JSON.stringify(JSON.stringify(claims()))),
    signed('not json'),
    signed(null),
    signed(42),
    craft([HS256], claims(), hmac(TEST_SECRET)),
    craft('"HS256"', claims(), hmac(TEST_SECRET)),
    craft('HS256', claims(), hmac(TEST_SECRET)),
  ]
  for (const bad of malformed) await refused(t, main, B(bad), 'invalid_token')
})

t.test('the Authorization header: scheme case and spacing', async (t) => {
  await accepted(t, main, `bearer ${alice.access}`)
  await accepted(t, main, `BEARER ${alice.access}`)
  await accepted(t, main, `Bearer    ${alice.access}`)
  for (const value of [
    `Bearer ${alice.access} garbage`,
    `Bearer ${alice.access} ${alice.access}`,
    `Bearer\t${alice.access}`,
    `Bearer,${alice.access}`,
    `Basic ${alice.access}`,
    alice.access,
    'Bearer',
  ]) {
    await refused(t, main, value, 'invalid_header')
  }
})

/** Asserts the Error shape of a raw HTTP response. */
function expectRawError(t: Test, res: RawResponse, status: number, code: string) {
  t.equal(res.status, status, `status ${status} (${res.body.slice(0, 160)})`)
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(JSON.parse(res.body), { statusCode: status, code, error: String, message: String }, `code ${code}`)
}

t.test('over real HTTP: duplicate Authorization headers, oversized headers', async (t) => {
  const port = await listen(app)
  const probe = (headers: Record<string, string | string[]>) => send(port, 'POST', '/probe/fresh', headers)
  const createStore = (headers: Record<string, string | string[]>) =>
    send(port, 'POST', '/store', { ...headers, 'content-type': 'application/json' }, JSON.stringify({ name: `http-${cases}` }))
  const ok = await probe({ authorization: B(alice.access) })
  t.equal(ok.status, 200, 'one valid header works over HTTP')

  async function refusedOverHttp(headers: Record<string, string | string[]>, status: number, code: string) {
    cases++
    const before = await snapshot(app)
    const hitsBefore = { ...main.hits }
    for (const res of [await probe(headers), await createStore(headers)]) {
      if (res.status < 300) forgeries++
      expectRawError(t, res, status, code)
      if (status === 401) expectChallenge(t, res.headers['www-authenticate'], code)
    }
    t.same(main.hits, hitsBefore, 'no handler ran')
    t.equal(await snapshot(app), before, 'nothing changed in the database')
  }

  await refusedOverHttp({ authorization: [B(alice.access), B(alice.access)] }, 401, 'invalid_header')
  await refusedOverHttp({ authorization: [B(alice.access), B(admin.access)] }, 401, 'invalid_header')
  await refusedOverHttp({ authorization: ['Bearer garbage', B(alice.access)] }, 401, 'invalid_header')
  await refusedOverHttp({ authorization: [B(alice.access), 'Basic abc'] }, 401, 'invalid_header')
  await refusedOverHttp({ authorization: B('x'.repeat(64 * 1024)) }, 431, 'header_too_large')
  await refusedOverHttp({ authorization: B(alice.access), 'x-filler': 'a'.repeat(17 * 1024) }, 431, 'header_too_large')
})

t.test('summary', async (t) => {
  console.log(`# JWT attack cases: ${cases}, accepted forgeries: ${forgeries}`)
  t.equal(forgeries, 0, 'no forged, tampered or malformed token was accepted')
  t.ok(cases >= 100, `${cases} cases ran`)
})
