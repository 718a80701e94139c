// Two real instances (processes, ports) with JWT_ALGORITHM=EdDSA on one database, started
// together on an empty key table: one key set, each accepts the other's tokens at once, even of
// a key it has not loaded yet, and adopts the other's rotation within 30 seconds.
// PostgreSQL by default; with TEST_DATABASE=sqlite (npm test's first pass) one SQLite file.
import t from 'tap'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { TEST_SECRET, tempDir } from './helper.js'
import { kidOf } from './keys/helpers.js'
import { sharedDatabase, sharedKind, skipUnlessReachable, startHealthy } from './processes.js'

type Instance = Awaited<ReturnType<typeof startHealthy>>

const PASSWORD = 'password-123'
const CREDENTIAL = 'introspection-credential-0123456789abcdef'

async function call(on: Instance, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${on.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function accessToken(on: Instance, username: string) {
  const res = await call(on, 'POST', '/login', { body: { username, password: PASSWORD } })
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`)
  return String(res.body.access_token)
}

const kids = async (on: Instance) => ((await call(on, 'GET', '/.well-known/jwks.json')).body.keys as Array<{ kid: string }>).map((k) => k.kid)

const kind = sharedKind('postgres')

t.test(`two EdDSA instances sharing one database (${kind})`, { skip: await skipUnlessReachable(kind) }, async (t) => {
  const cwd = tempDir(t)
  const DATABASE_URL = await sharedDatabase(t, cwd, kind)
  const env = { DATABASE_URL, JWT_SECRET_KEY: TEST_SECRET, AUTH_RATE_LIMIT: '0', LOG_LEVEL: 'warn', JWT_ALGORITHM: 'EdDSA', INTROSPECTION_TOKEN: CREDENTIAL }
  const [a, b] = await Promise.all([startHealthy(t, cwd, env), startHealthy(t, cwd, env)])

  const first = await kids(a)
  t.equal(first.length, 1, 'started together on an empty table: one key')
  t.same(await kids(b), first, 'the same on both')

  t.equal((await call(a, 'POST', '/register', { body: { username: 'admin', password: PASSWORD } })).status, 201)
  const old = await accessToken(a, 'admin')
  t.equal(kidOf(old), first[0])
  t.equal((await call(b, 'GET', '/me', { token: old })).status, 200, "A's token works on B")
  t.equal(kidOf(await accessToken(b, 'admin')), first[0], 'B signs with the same key')

  // What a second service does: fetch the JWKS over HTTP and verify locally.
  const remote = createRemoteJWKSet(new URL(`${b.url}/.well-known/jwks.json`))
  t.match((await jwtVerify(old, remote, { algorithms: ['EdDSA'] })).payload, { type: 'access' }, 'jose verifies it from B')

  const rotated = await call(a, 'POST', '/keys/rotate', { token: old })
  t.equal(rotated.status, 200)
  const second = String(rotated.body.kid)
  const fresh = await accessToken(a, 'admin')
  t.equal(kidOf(fresh), second, 'A signs with the new key at once')
  t.equal((await call(b, 'GET', '/me', { token: fresh })).status, 200, 'B accepts it before its periodic reload')
  const intro = await call(b, 'POST', '/introspect', { token: CREDENTIAL, body: { token: fresh } })
  t.match(intro.body, { active: true, username: 'admin' }, 'and introspects it as active')
  t.equal((await call(b, 'GET', '/me', { token: old })).status, 200, 'the old key still verifies on B')
  t.equal((await call(a, 'GET', '/me', { token: old })).status, 200, 'and on A')
  t.same(await kids(b), [second, first[0]], "B's JWKS: both keys")

  const third = String((await call(a, 'POST', '/keys/rotate', { token: await accessToken(a, 'admin') })).body.kid)
  // B meets no token of the third key: its periodic reload alone must bring it in.
  const started = Date.now()
  let signs = kidOf(await accessToken(b, 'admin'))
  while (signs !== third && Date.now() - started < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    signs = kidOf(await accessToken(b, 'admin'))
  }
  t.equal(signs, third, `B signs with A's newest key within 30 s (${Math.round((Date.now() - started) / 1000)} s)`)
})
