// Two instances of the service (separate processes, separate ports) on one database:
// every token decision made on one is honoured by the other on its next request.
// PostgreSQL by default; with TEST_DATABASE=sqlite (npm test's first pass) one SQLite file.
import t, { type Test } from 'tap'
import { TEST_SECRET, tempDir } from './helper.js'
import { sharedDatabase, sharedKind, skipUnlessReachable, startHealthy } from './processes.js'

type Instance = Awaited<ReturnType<typeof startHealthy>>

interface Reply {
  status: number
  body: { code?: string; [key: string]: unknown }
}

async function call(on: Instance, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${on.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
  return { status: res.status, body: (await res.json()) as Reply['body'] }
}

const PASSWORD = 'password-123'

async function register(on: Instance, username: string) {
  return call(on, 'POST', '/register', { body: { username, password: PASSWORD } })
}

async function login(on: Instance, username: string) {
  const res = await call(on, 'POST', '/login', { body: { username, password: PASSWORD } })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`)
  return { access: String(res.body.access_token), refresh: String(res.body.refresh_token) }
}

/** Registers on one instance, logs in on another: a user id and a fresh token pair. */
async function signUp(registerOn: Instance, loginOn: Instance, username: string) {
  const res = await register(registerOn, username)
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: Number(res.body.id), ...(await login(loginOn, username)) }
}

function expectRejected(t: Test, res: Reply, code: string, what: string) {
  t.equal(res.status, 401, `${what}: 401`)
  t.equal(res.body.code, code, `${what}: ${code}`)
}

const kind = sharedKind('postgres')

t.test(`two instances sharing one database (${kind})`, { skip: await skipUnlessReachable(kind) }, async (t) => {
  const cwd = tempDir(t)
  const database = await sharedDatabase(t, cwd, kind)
  const env = { DATABASE_URL: database, JWT_SECRET_KEY: TEST_SECRET, AUTH_RATE_LIMIT: '0', LOG_LEVEL: 'warn' }
  // Started together on an empty database: the migrations must not race.
  const [a, b] = await Promise.all([startHealthy(t, cwd, env), startHealthy(t, cwd, env)])
  t.not(a.port, b.port)

  const admin = await signUp(a, a, 'admin')

  t.test('a token issued by A works on B', async (t) => {
    const bob = await signUp(a, a, 'bob')
    const me = await call(b, 'GET', '/me', { token: bob.access })
    t.equal(me.status, 200)
    t.equal(me.body.username, 'bob')
  })

  t.test('a logout on A is rejected on B at once', async (t) => {
    const carol = await signUp(b, a, 'carol')
    t.equal((await call(b, 'GET', '/me', { token: carol.access })).status, 200, 'accepted before')
    t.equal((await call(a, 'POST', '/logout', { token: carol.access })).status, 200)
    expectRejected(t, await call(b, 'GET', '/me', { token: carol.access }), 'token_revoked', 'access token on B')
    expectRejected(t, await call(b, 'POST', '/refresh', { token: carol.refresh }), 'token_revoked', 'refresh token on B')
  })

  t.test('refresh-token reuse detected on B revokes the session on A', async (t) => {
    const dave = await signUp(a, a, 'dave')
    const rotated = await call(a, 'POST', '/refresh', { token: dave.refresh })
    t.equal(rotated.status, 200, 'rotated on A')
    expectRejected(t, await call(b, 'POST', '/refresh', { token: dave.refresh }), 'token_revoked', 'the retired token replayed on B')
    expectRejected(t, await call(a, 'GET', '/me', { token: dave.access }), 'token_revoked', 'the session access token on A')
    expectRejected(t, await call(a, 'POST', '/refresh', { token: String(rotated.body.refresh_token) }), 'token_revoked', 'the newest refresh token on A')
  })

  t.test('a user deactivated on A is rejected on B', async (t) => {
    const erin = await signUp(a, b, 'erin')
    t.equal((await call(b, 'GET', '/me', { token: erin.access })).status, 200, 'accepted before')
    const patch = await call(a, 'PATCH', `/user/${erin.id}`, { token: admin.access, body: { is_active: false } })
    t.equal(patch.status, 200)
    expectRejected(t, await call(b, 'GET', '/me', { token: erin.access }), 'user_inactive', 'access token on B')
    const again = await call(b, 'POST', '/login', { body: { username: 'erin', password: PASSWORD } })
    t.equal(again.status, 403, 'no new login on B')
  })

  t.test('20 parallel registrations of one username over A and B: exactly one 201', async (t) => {
    const attempts = Array.from({ length: 20 }, (_, i) => register(i % 2 ? b : a, i % 3 ? 'racer' : 'RACER'))
    const results = await Promise.all(attempts)
    const statuses = results.map((r) => r.status)
    t.equal(statuses.filter((s) => s === 201).length, 1, `one created (${statuses.join(' ')})`)
    t.equal(statuses.filter((s) => s === 409).length, 19, 'the others are 409')
    t.ok(results.filter((r) => r.status === 409).every((r) => r.body.code === 'conflict'), 'with code conflict')
    const users = await call(b, 'GET', '/users?limit=100', { token: admin.access })
    const racers = (users.body.data as Array<{ username: string }>).filter((u) => u.username.toLowerCase() === 'racer')
    t.equal(racers.length, 1, 'one stored')
  })

  t.test('two admins demoting each other at once on A and B: one stays admin', async (t) => {
    const other = await signUp(b, b, 'frank')
    t.equal((await call(a, 'PATCH', `/user/${other.id}`, { token: admin.access, body: { roles: ['admin', 'user'] } })).status, 200)
    const fresh = await login(b, 'frank')
    const demote = (on: Instance, token: string, id: number) => call(on, 'PATCH', `/user/${id}`, { token, body: { roles: ['user'] } })
    const results = await Promise.all([demote(a, admin.access, other.id), demote(b, fresh.access, admin.id)])
    // The loser is refused either by the last-admin guard (409 conflict) or, when
    // the winner's demotion lands before the loser's request loads its user, because
    // the loser is no longer an admin (403 admin_required). Both keep one admin.
    const applied = results.filter((r) => r.status === 200)
    const refused = results.filter((r) => r.status !== 200)
    t.equal(applied.length, 1, `one demotion applies (${results.map((r) => r.status).join(' ')})`)
    t.ok(refused.length === 1 && ((refused[0]!.status === 409 && refused[0]!.body.code === 'conflict') ||
      (refused[0]!.status === 403 && refused[0]!.body.code === 'admin_required')), `the other is refused with 409 conflict or 403 admin_required (${JSON.stringify(refused.map((r) => r.body.code))})`)
    const users = (await call(a, 'GET', '/users?limit=100', { token: results[0]!.status === 200 ? admin.access : fresh.access })).body
    const admins = (users.data as Array<{ username: string; is_admin: boolean; is_active: boolean }>).filter((u) => u.is_admin && u.is_active)
    t.equal(admins.length, 1, 'exactly one active admin left')
  })

  t.test('PUT /item/{id} creating one id on A and B at once: one 201, one 200; POST then takes another id', async (t) => {
    const token = (await login(a, 'admin')).access
    const store = await call(a, 'POST', '/store', { token, body: { name: 'Shared' } })
    t.equal(store.status, 201)
    const put = (on: Instance, name: string) => call(on, 'PUT', '/item/500', { token, body: { name, price: 2.5, store_id: store.body.id } })
    const results = await Promise.all([put(a, 'From A'), put(b, 'From B')])
    t.same(results.map((r) => r.status).sort(), [200, 201])
    const next = await call(b, 'POST', '/item', { token, body: { name: 'Next', price: 1, store_id: store.body.id } })
    t.equal(next.status, 201)
    t.not(next.body.id, 500, `a generated id other than the chosen one (${String(next.body.id)})`)
  })

})
