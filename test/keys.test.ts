// Tokens other services can verify: for each asymmetric JWT_ALGORITHM, a token the service
// issues is verified by jose from the served JWKS alone and accepted by the service, while
// forgeries around the real key are refused; the database never holds a private key in clear.
import t, { type Test } from 'tap'
import { createPublicKey, randomBytes } from 'node:crypto'
import { TEST_SECRET, account, build, decodeJwt, signJwt, type Account } from './helper.js'
import { ASYMMETRIC, foreignKey, headerOf, jwksOf, keyRows, kidOf, meWith, privateKeyOf, resign, verifyWithJwks, type Asymmetric } from './keys/helpers.js'
import { craft, hmac } from './security/probe.js'
import { secretKid } from '../src/keys/kid.js'
import type { App } from '../src/app.js'

const PUBLIC_MEMBERS = { OKP: ['crv', 'x'], EC: ['crv', 'x', 'y'], RSA: ['e', 'n'] } as const
const KTY = { EdDSA: 'OKP', ES256: 'EC', RS256: 'RSA' } as const
const SIGNATURE_CHARS = { EdDSA: 86, ES256: 86, RS256: 342 } as const

async function refusedAll(t: Test, app: App, cases: Array<[string, string]>) {
  for (const [what, token] of cases) t.same(await meWith(app, token), { status: 401, code: 'invalid_token' }, what)
}

for (const alg of ASYMMETRIC) {
  t.test(`JWT_ALGORITHM=${alg}`, async (t) => {
    const app = await build(t, { JWT_ALGORITHM: alg })
    const alice: Account = await account(app, 'alice')
    const kid = kidOf(alice.access)

    t.test('the token header names the key and its algorithm', async (t) => {
      t.same(headerOf(alice.access), { alg, typ: 'JWT', kid })
      t.equal(kidOf(alice.refresh), kid, 'the refresh token too')
      t.match(kid, /^[A-Za-z0-9_-]{43}$/, 'the kid is a JWK thumbprint')
      t.equal(alice.access.split('.')[2]?.length, SIGNATURE_CHARS[alg], 'a signature of the algorithm')
    })

    t.test('the JWKS publishes the public key only, cacheable for 5 minutes', async (t) => {
      const res = await app.inject('/.well-known/jwks.json')
      t.equal(res.statusCode, 200)
      t.equal(res.headers['cache-control'], 'public, max-age=300')
      const { keys } = res.json() as { keys: Array<Record<string, string>> }
      t.equal(keys.length, 1, 'one key')
      const [jwk] = keys
      t.match(jwk, { kty: KTY[alg], kid, alg, use: 'sig' })
      t.same(Object.keys(jwk!).sort(), ['alg', 'kid', 'kty', 'use', ...PUBLIC_MEMBERS[KTY[alg]]].sort(), 'public members only')
      t.doesNotThrow(() => createPublicKey({ key: jwk!, format: 'jwk' }), 'a usable public key')
    })

    t.test('jose verifies the tokens from the JWKS alone, and the service accepts them', async (t) => {
      const access = await verifyWithJwks(app, alice.access, alg)
      t.match(access.payload, { sub: String(alice.id), type: 'access', fresh: true })
      t.equal(access.protectedHeader.kid, kid)
      t.match((await verifyWithJwks(app, alice.refresh, alg)).payload, { type: 'refresh' })
      t.same(await meWith(app, alice.access), { status: 200, code: undefined }, 'GET /me accepts the access token')
      const refreshed = await app.inject({ method: 'POST', url: '/refresh', headers: { authorization: `Bearer ${alice.refresh}` } })
      t.equal(refreshed.statusCode, 200, 'POST /refresh accepts the refresh token')
      t.match((await verifyWithJwks(app, refreshed.json().access_token, alg)).payload, { type: 'access', fresh: false })
    })

    t.test('forgeries around the real key are refused', async (t) => {
      const real = await privateKeyOf(app, kid)
      const header = { alg, typ: 'JWT', kid }
      t.same(await meWith(app, resign(alice.access, header, real)), { status: 200, code: undefined }, 'baseline: the real key and kid')

      const jwk = JSON.stringify((await jwksOf(app)).keys[0])
      const publicPem = createPublicKey(real).export({ type: 'spki', format: 'pem' }).toString()
      const claims = { ...decodeJwt(alice.access), exp: Math.floor(Date.now() / 1000) + 600 }
      const other = ASYMMETRIC.find((a) => a !== alg)!
      await refusedAll(t, app, [
        ['an unknown kid, the real key', resign(alice.access, { ...header, kid: randomBytes(32).toString('base64url') }, real)],
        ['no kid, the real key', resign(alice.access, { alg, typ: 'JWT' }, real)],
        ['a foreign key under the real kid', resign(alice.access, header, foreignKey(alg))],
        ['HS256 keyed with the public PEM', craft({ ...header, alg: 'HS256' }, claims, hmac(publicPem))],
        ['HS256 keyed with the public JWK', craft({ ...header, alg: 'HS256' }, claims, hmac(jwk))],
        ['HS256 keyed with JWT_SECRET_KEY', craft({ ...header, alg: 'HS256' }, claims, hmac(TEST_SECRET))],
        ['HS256 without kid, keyed with JWT_SECRET_KEY', signJwt(claims)],
        [`the real kid under alg ${other}`, resign(alice.access, { ...header, alg: other }, foreignKey(other))],
        ['alg none, no signature', craft({ ...header, alg: 'none' }, claims, () => '')],
        ['alg none, the real signature', `${craft({ ...header, alg: 'none' }, claims, () => '')}${alice.access.split('.')[2]}`],
        ['jwk header with an attacker key', resign(alice.access, { ...header, kid: undefined, jwk: createPublicKey(foreignKey(alg)).export({ format: 'jwk' }) }, foreignKey(alg))],
      ])
      const odd: unknown[] = ['x'.repeat(10_000), '🔑', 'ключ', '../../../../etc/passwd', '..', '/dev/null', 'C:\\keys\\k', `${kid}\0`, ` ${kid}`, kid.toLowerCase(), '', null, 0, 42, true, [kid], { kid }]
      await refusedAll(t, app, odd.map((k): [string, string] => [`kid ${JSON.stringify(k)?.slice(0, 40)}`, resign(alice.access, { ...header, kid: k }, real)]))
    })

    t.test('one signature, one spelling: spare bits of the last character set', async (t) => {
      const [head, body, signature = ''] = alice.access.split('.')
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const last = alphabet.indexOf(signature.at(-1)!)
      t.equal(last % 16, 0, 'the real signature leaves its 4 spare bits at zero')
      for (const bit of [1, 2, 4, 8]) {
        const twin = `${head}.${body}.${signature.slice(0, -1)}${alphabet[last | bit]}`
        t.same(await meWith(app, twin), { status: 401, code: 'invalid_token' }, `spare bit ${bit}`)
      }
    })

    t.test('the database holds no private key in clear', async (t) => {
      const rows = await keyRows(app)
      t.equal(rows.length, 1)
      const row = rows[0]!
      t.match(row, { kid, alg, generation: 1, retired_at: null, verify_until: null })
      const privateJwk = (await privateKeyOf(app, kid)).export({ format: 'jwk' })
      const pem = (await privateKeyOf(app, kid)).export({ type: 'pkcs8', format: 'pem' }).toString()
      const text = JSON.stringify(row)
      t.notMatch(text, /PRIVATE KEY/, 'no PEM')
      t.notOk(text.includes(String(privateJwk.d)), 'not the private scalar/exponent d')
      t.notOk(text.includes(pem.split('\n')[1]!), 'not the PKCS#8 body')
      t.match(String(row.sealed_private_key), /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'sealed (AES-256-GCM)')
      t.notOk('d' in JSON.parse(String(row.public_jwk)), 'public_jwk is public')
    })
  })
}

t.test('HS256: the secret has a kid of its own, the JWKS is empty, tokens without kid still work', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const kid = kidOf(alice.access)
  t.same(headerOf(alice.access), { alg: 'HS256', typ: 'JWT', kid })
  t.equal(kid, secretKid(TEST_SECRET))
  t.match(kid, /^[A-Za-z0-9_-]{22}$/)
  t.not(secretKid(`${TEST_SECRET}x`), kid, 'another secret, another kid')
  const res = await app.inject('/.well-known/jwks.json')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  t.same(res.json(), { keys: [] }, 'a shared secret is never published')
  t.same(await keyRows(app), [], 'no key pair is made')
  t.same(await meWith(app, signJwt(decodeJwt(alice.access))), { status: 200, code: undefined }, 'a token from before kids')
  const claims = decodeJwt(alice.access)
  await refusedAll(t, app, [
    ['an unknown kid', signJwt(claims, { alg: 'HS256', typ: 'JWT', kid: randomBytes(16).toString('base64url') })],
    ['a kid of the right shape from another secret', signJwt(claims, { alg: 'HS256', typ: 'JWT', kid: secretKid('other') })],
    ['the right kid, another secret', signJwt(claims, { alg: 'HS256', typ: 'JWT', kid }, 'another-secret-another-secret-0123456789')],
    ['the right kid, alg EdDSA', signJwt(claims, { alg: 'EdDSA', typ: 'JWT', kid })],
  ])
})

t.test('HS256 with JWT_PREVIOUS_SECRET_KEYS: retired secrets verify under their own kid, never sign', async (t) => {
  const OLD = 'old-secret-old-secret-old-secret-0123456789'
  const before = await build(t, { JWT_SECRET_KEY: OLD })
  const bob = await account(before, 'bob')
  t.equal(kidOf(bob.access), secretKid(OLD))

  const NEW = 'new-secret-new-secret-new-secret-0123456789'
  const DATABASE_URL = before.config.databaseUrl
  const after = await build(t, { DATABASE_URL, JWT_SECRET_KEY: NEW, JWT_PREVIOUS_SECRET_KEYS: `${OLD},retired-long-ago-0123456789abcdef` })
  t.same(await meWith(after, bob.access), { status: 200, code: undefined }, 'a token of the old secret works')
  const refreshed = await after.inject({ method: 'POST', url: '/refresh', headers: { authorization: `Bearer ${bob.refresh}` } })
  t.equal(refreshed.statusCode, 200, 'and its refresh token')
  t.equal(kidOf(refreshed.json().access_token), secretKid(NEW), 'new tokens are signed with the new secret')
  t.same((await after.inject('/.well-known/jwks.json')).json(), { keys: [] })

  const claims = decodeJwt(bob.access)
  t.same(await meWith(after, signJwt(claims, undefined, OLD)), { status: 401, code: 'invalid_token' }, 'without kid only the current secret verifies')
  t.same(await meWith(after, signJwt(claims, undefined, NEW)), { status: 200, code: undefined }, 'the current one does')
  const withoutOld = await build(t, { DATABASE_URL, JWT_SECRET_KEY: NEW })
  t.same(await meWith(withoutOld, bob.access), { status: 401, code: 'invalid_token' }, 'once the old secret is dropped, its tokens stop')
})
