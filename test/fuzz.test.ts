import t from 'tap'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'
import { accessClaims, account, bearer, build, decodeJwt, expectError, login, rawQuery, signJwt } from './helper.js'
import { schemaArbitraries } from './fuzz/schema-arb.js'
import { newToken, tokenHash } from '../src/mail/links.js'
import { check, operations, resolve, responseProblems, spec, violation, type Operation, type Problem } from './fuzz/spec.js'
import { materialize, requestArb, resolveMarkers, type Context, type Credential, type FuzzRequest, type RequestOptions } from './fuzz/requests.js'

/*
 * OpenAPI-driven fuzzing: every operation of the committed openapi.yaml gets schema-valid,
 * schema-violating and junk requests, with every kind of credential, against one app with seeded
 * data. Every response must be documented for its operation, match that status's schema and never
 * be a 5xx; a request breaking the contract must not succeed, and a valid one must not be refused
 * as invalid. FUZZ_SEED replays a run, FUZZ_RUNS sets the number of requests.
 */

/** The app fuzzed: key pairs (so POST /keys/rotate can succeed) and POST /introspect on. */
const ENV = { JWT_ALGORITHM: 'EdDSA', INTROSPECTION_TOKEN: 'fuzz-introspection-credential-0123456789' }
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500)
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED)
const PASSWORD = 'password-123'
const ADMIN = 'fuzz-admin'
const USER = 'fuzz-user'

const EXISTING_STORE = fc.nat(1000).map((k) => `$store:${k}`)
const SESSION_ENDING: RequestOptions['credentials'] = { admin: 1, user: 1, nonfresh: 1, refresh: 1, garbage: 2, none: 2 }

/**
 * Per operation: known values mixed into bodies so that logins, password changes and conflicts
 * happen; fewer live credentials where success ends a session (each costs a new login).
 */
const OPTIONS: Record<string, RequestOptions> = {
  login: {
    hints: {
      username: fc.constantFrom(ADMIN, USER, ADMIN.toUpperCase(), `${USER}@example.com`),
      email: fc.constantFrom(`${ADMIN}@example.com`, `${USER.toUpperCase()}@EXAMPLE.COM`),
      password: fc.constant(PASSWORD),
    },
  },
  changeMyPassword: { hints: { current_password: fc.constant(PASSWORD) } },
  register: {
    hints: {
      username: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(ADMIN, USER.toUpperCase()) },
        { weight: 3, arbitrary: fc.stringMatching(/^fz_[a-z0-9]{1,20}$/) },
      ),
    },
  },
  createStore: { hints: { name: fc.constantFrom('Corner Shop', 'corner shop') } },
  updateUser: { hints: { roles: fc.constantFrom(['user'], ['admin', 'user'], ['admin']) } },
  createItem: { hints: { store_id: EXISTING_STORE } },
  putItem: { hints: { store_id: EXISTING_STORE } },
  changeMyEmail: { hints: { current_password: fc.constant(PASSWORD) } },
  verifyEmail: { hints: { token: fc.constant('$link') } },
  resetPassword: { hints: { token: fc.constant('$link') } },
  logout: { credentials: SESSION_ENDING },
  logoutAll: { credentials: SESSION_ENDING },
}

const TABLES: Record<string, string> = { '/user/{id}': 'users', '/store/{id}': 'stores', '/item/{id}': 'items' }

/** 400s an operation documents for a schema-valid body. */
const SEMANTIC_400: Record<string, (body: Record<string, unknown>) => boolean> = {
  putItem: (body) => body.store_id === undefined,
  // A token the service did not mail (any the fuzzer makes up) is 400 invalid_link.
  verifyEmail: () => true,
  resetPassword: () => true,
}

interface Tokens { id: number; access: string; nonfresh: string; refresh: string; stale: boolean }

/** The seeded accounts and the credentials made from them; re-seeded when fuzzing revokes or deletes them. */
class Accounts {
  admin: Tokens = { id: 0, access: '', nonfresh: '', refresh: '', stale: true }
  user: Tokens = { id: 0, access: '', nonfresh: '', refresh: '', stale: true }
  userDeleted = true
  reseeds = 0
  /** The ids in each table, ascending: loaded by `loadIds` before each request, as `existingId` is synchronous. */
  private ids: Record<string, number[]> = {}

  constructor(private app: App) {}

  of(credential: Credential): Tokens | undefined {
    if (credential === 'user') return this.user
    return credential === 'admin' || credential === 'nonfresh' || credential === 'refresh' ? this.admin : undefined
  }

  async register(username: string) {
    const payload = { username, password: PASSWORD, email: `${username}@example.com` }
    const res = await this.app.inject({ method: 'POST', url: '/register', payload })
    if (res.statusCode !== 201) throw new Error(`seeding: register ${username}: ${res.statusCode} ${res.body}`)
    return res.json().id as number
  }

  /** Logs in again whatever fuzzing revoked: access token, then /refresh for a non-fresh one and a live refresh token. */
  async ensure() {
    for (const [name, tokens] of [[ADMIN, this.admin], [USER, this.user]] as const) {
      if (!tokens.stale) continue
      if (tokens === this.user && this.userDeleted) {
        this.user.id = await this.register(USER)
        this.userDeleted = false
      }
      const pair = await login(this.app, name, PASSWORD)
      const refreshed = await this.app.inject({ method: 'POST', url: '/refresh', headers: bearer(pair.refresh_token) })
      if (refreshed.statusCode !== 200) throw new Error(`seeding: refresh: ${refreshed.statusCode} ${refreshed.body}`)
      const next = refreshed.json() as { access_token: string; refresh_token: string }
      Object.assign(tokens, { access: pair.access_token, nonfresh: next.access_token, refresh: next.refresh_token, stale: false })
      this.reseeds++
    }
  }

  /** `"$link"` in a body becomes a live link of the normal user, of the kind the operation takes. */
  async withLink(req: FuzzRequest): Promise<FuzzRequest> {
    if (!req.payload?.includes('"$link"')) return req
    const user = await this.app.repos.users.findById(this.user.id)
    if (!user?.emailKey) return req
    const token = newToken()
    const kind = req.op.id === 'resetPassword' ? 'password_reset' : 'verify_email'
    const link = { userId: user.id, kind, tokenHash: tokenHash(token), emailKey: user.emailKey, expiresAt: new Date(Date.now() + 60_000) } as const
    await this.app.repos.emailLinks.issue(link, [], new Date())
    return { ...req, payload: req.payload.replaceAll('"$link"', JSON.stringify(token)) }
  }

  /** Reads the current ids of users, stores and items in one query, for `existingId`. */
  async loadIds() {
    const rows = await rawQuery(
      this.app,
      sql`SELECT 'users' AS t, id FROM users UNION ALL SELECT 'stores', id FROM stores UNION ALL SELECT 'items', id FROM items ORDER BY 2`,
    )
    this.ids = { users: [], stores: [], items: [] }
    for (const row of rows) this.ids[String(row.t)]?.push(Number(row.id))
  }

  context(): Context {
    return {
      token: (credential) => {
        const tokens = this.of(credential)
        if (!tokens) return undefined
        return credential === 'nonfresh' ? tokens.nonfresh : credential === 'refresh' ? tokens.refresh : tokens.access
      },
      sessionId: (credential) => {
        const token = this.of(credential)?.access
        return token ? String(decodeJwt(token).sid) : randomUUID()
      },
      introspectionCredential: ENV.INTROSPECTION_TOKEN,
      garbage: (marker) => `Bearer ${this.forged(marker)}`,
      existingId: (path, k) => {
        const ids = this.ids[TABLES[path] ?? 'users'] ?? []
        return String(ids.length ? ids[k % ids.length] : 1)
      },
    }
  }

  /** Tokens that look real but must be refused: tampered, signed with another key, expired, unsigned. */
  private forged(marker: string) {
    const real = this.admin.access
    const now = Math.floor(Date.now() / 1000)
    if (marker === '$tampered') {
      const [head, body, sig = ''] = real.split('.')
      const mid = Math.floor(sig.length / 2)
      return `${head}.${body}.${sig.slice(0, mid)}${sig[mid] === 'A' ? 'B' : 'A'}${sig.slice(mid + 1)}`
    }
    if (marker === '$forged') return signJwt(accessClaims(real), undefined, 'another-secret-another-secret-another-secret')
    if (marker === '$expired') return this.app.keys.sign(accessClaims(real, { iat: now - 3600, nbf: now - 3600, exp: now - 60 }) as never)
    return signJwt(accessClaims(real), { alg: 'none', typ: 'JWT' }).replace(/[^.]+$/, '')
  }

  /** Fuzzing never deletes, demotes or deactivates the admin: such requests go to the normal user instead. */
  protect(req: FuzzRequest): FuzzRequest {
    if (req.credential !== 'admin' || (req.op.id !== 'deleteUser' && req.op.id !== 'updateUser')) return req
    if (Number(req.path.id) !== this.admin.id) return req
    if (req.op.id === 'updateUser' && !demotes(req.payload)) return req
    return { ...req, path: { id: String(this.user.id) } }
  }

  /** Bookkeeping after a response: follow rotations, restore what fuzzing changed, mark revoked credentials. */
  async after(req: FuzzRequest, res: LightMyRequestResponse, path: Record<string, string>) {
    const tokens = this.of(req.credential)
    const code = res.statusCode === 401 ? (res.json() as { code: string }).code : ''
    if (tokens && ['token_revoked', 'user_not_found', 'user_inactive'].includes(code)) tokens.stale = true
    if (res.statusCode >= 300) return
    switch (req.op.id) {
      case 'refresh':
        if (req.credential === 'refresh') {
          Object.assign(this.admin, { nonfresh: res.json().access_token, refresh: res.json().refresh_token })
        }
        break
      case 'logout':
      case 'logoutAll':
      case 'revokeMySession':
        if (tokens) tokens.stale = true
        break
      case 'changeMyPassword': {
        const token = this.context().token(req.credential)
        const back = { current_password: JSON.parse(req.payload ?? '{}').new_password, new_password: PASSWORD }
        const res = await this.app.inject({ method: 'PUT', url: '/me/password', headers: bearer(token ?? ''), payload: back })
        if (res.statusCode !== 200) throw new Error(`restoring the password: ${res.statusCode} ${res.body}`)
        if (tokens) tokens.stale = true
        break
      }
      case 'resetPassword':
        // A reset with a live link set the normal user's password and ended their sessions.
        await this.app.repos.users.setPasswordHash(this.user.id, await this.app.passwords.hash(PASSWORD))
        this.user.stale = true
        break
      case 'updateUser':
        if (Number(path.id) === this.user.id) {
          const payload = { roles: ['user'], is_active: true }
          await this.app.inject({ method: 'PATCH', url: `/user/${this.user.id}`, headers: bearer(this.admin.access), payload })
          this.user.stale = true
        }
        break
      case 'deleteUser':
        if (Number(path.id) === this.admin.id) throw new Error('fuzzing deleted the admin')
        if (Number(path.id) === this.user.id) {
          this.userDeleted = true
          this.user.stale = true
        }
        break
    }
  }
}

function demotes(payload: string | undefined) {
  try {
    const body = JSON.parse(payload ?? 'null') as { is_active?: unknown; roles?: unknown }
    return body?.is_active === false || (Array.isArray(body?.roles) && !body.roles.includes('admin'))
  } catch {
    return false
  }
}

async function seedCatalog(app: App, token: string) {
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: bearer(token), payload })
    if (res.statusCode !== 201) throw new Error(`seeding: POST ${url}: ${res.statusCode} ${res.body}`)
    return res.json().id as number
  }
  const first = await post('/store', { name: 'Corner Shop' })
  const second = await post('/store', { name: 'Second Store' })
  await post('/store', { name: 'Empty Store' })
  await post('/item', { name: 'Chair', price: 19.99, store_id: first })
  await post('/item', { name: 'Table', price: 120, store_id: first })
  await post('/item', { name: 'Lamp', price: 5.5, store_id: second })
}

/** Every operation's requests, sampled from its own seed, interleaved so state changes mix. */
function plan(seed: number, runs: number): FuzzRequest[] {
  const perOp = Math.ceil(runs / operations.length)
  const samples = operations.map((op, i) => fc.sample(requestArb(op, OPTIONS[op.id]), { seed: (seed + i) % 2 ** 31, numRuns: perOp }))
  return Array.from({ length: perOp }, (_, k) => samples.map((s) => s[k]!)).flat()
}

type Kind = Problem['kind'] | 'accepted violation' | 'rejected valid'
interface Failure { kind: Kind; reason: string; index: number; request: string; response: string }

const clip = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text)

function describe(inject: ReturnType<typeof materialize>['inject'], res: LightMyRequestResponse) {
  const payload = typeof inject.payload === 'string' ? `\n    body: ${JSON.stringify(clip(inject.payload))}` : ''
  return {
    request: `${inject.method} ${inject.url}\n    headers: ${JSON.stringify(inject.headers)}${payload}`,
    response: `${res.statusCode} ${res.headers['content-type'] ?? ''} ${clip(res.body, 300)}`,
  }
}

/** The spec's verdict on one request/response pair. */
function judge(op: Operation, req: FuzzRequest, sent: Parameters<typeof violation>[1], res: LightMyRequestResponse) {
  const found: { kind: Kind; reason: string }[] = responseProblems(op, res)
  const broken = violation(op, sent)
  if (broken && res.statusCode < 300) {
    found.push({ kind: 'accepted violation', reason: `${res.statusCode} for a request that breaks the spec (${broken})` })
  }
  const refused = [400, 413, 415].includes(res.statusCode)
  if (!broken && refused && req.intent === 'valid' && req.credential === 'admin') {
    const body = sent.payload === undefined ? {} : (JSON.parse(sent.payload) as Record<string, unknown>)
    const documented = res.statusCode === 400 && SEMANTIC_400[op.id]?.(body)
    if (!documented) found.push({ kind: 'rejected valid', reason: `${res.statusCode} for a schema-valid request` })
  }
  return { found, broken }
}

t.test('the generators produce what the schemas accept and reject', async (t) => {
  const { valid, invalid } = schemaArbitraries(resolve, { accepts: (schema, v) => check(schema, v) === undefined })
  const schemas = operations.flatMap((op) => [
    ...(op.body ? [{ name: `${op.name} body`, schema: op.body.schema }] : []),
    ...[...op.pathParams, ...op.queryParams].map((p) => ({ name: `${op.name} ${p.name}`, schema: p.schema })),
  ])
  t.ok(schemas.length >= 10, `${schemas.length} request schemas`)
  for (const { name, schema } of schemas) {
    const accepted = fc.sample(valid(schema), { seed: SEED, numRuns: 100 }).filter((v) => check(schema, v) === undefined)
    t.equal(accepted.length, 100, `${name}: valid values pass`)
    const rejected = fc.sample(invalid(schema), { seed: SEED, numRuns: 100 }).filter((v) => check(schema, v) !== undefined)
    t.equal(rejected.length, 100, `${name}: invalid values fail`)
  }
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    const accepted = fc.sample(valid(schema), { seed: SEED, numRuns: 50 }).filter((v) => check(schema, v) === undefined)
    t.equal(accepted.length, 50, `component ${name}: valid values pass`)
  }
})

t.test('what the fuzzer found stays fixed', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'Corner Shop' } })
  t.equal(store.statusCode, 201, 'a store for the item cases')
  const cases = [
    // Ajv turned "Infinity" into a number and then skipped the bounds: SQLite failed on it (500).
    { method: 'PUT', url: '/item/1e400', payload: { name: 'Chair', price: 1, store_id: 1 } },
    { method: 'GET', url: '/item/Infinity' },
    { method: 'GET', url: '/store?limit=Infinity' },
    { method: 'GET', url: '/item?offset=-Infinity' },
    // Router errors bypassed the error handler: Fastify's own body, and a 414 for a long id.
    { method: 'GET', url: '/store/%zz' },
    { method: 'DELETE', url: `/item/${'1'.repeat(200)}` },
    // PostgreSQL text cannot hold NUL: names and name filters with one were a 500 there.
    { method: 'GET', url: '/store?name=corner%00' },
    { method: 'GET', url: '/item?name=%00' },
    { method: 'POST', url: '/store', payload: { name: 'Corner\u0000Shop' } },
    { method: 'POST', url: '/item', payload: { name: '\u0000', price: 1, store_id: 1 } },
    { method: 'PUT', url: '/item/8', payload: { name: 'Chair\u0000', price: 1, store_id: 1 } },
  ] as const
  for (const { method, url, ...rest } of cases) {
    const res = await app.inject({ method, url, headers: admin.headers, ...rest })
    expectError(t, res, 400, 'validation_error')
    const op = operations.find((o) => o.method === method && url.startsWith(o.path.split('{')[0]!))!
    t.same(responseProblems(op, res), [], `${method} ${url}: as documented for ${op.name}`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/store' })).json().total, 1, 'no store was added')
  t.equal((await app.inject({ method: 'GET', url: '/item' })).json().total, 0, 'no item was stored')

  // Anonymous GET /item on a failing database answered its page schema's serializer error, not the Error shape.
  await app.db.close()
  const res = await app.inject({ method: 'GET', url: '/item' })
  expectError(t, res, 500, 'internal_error')
})

t.test('after PUT /item/2147483647, POST /item still works: the next free id, never one past the range', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const send = (method: 'POST' | 'PUT', url: string, name: string) =>
    app.inject({ method, url, headers: admin.headers, payload: { name, price: 1, store_id: 1 } })
  t.equal((await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'Corner Shop' } })).json().id, 1)
  t.equal((await send('PUT', '/item/2147483647', 'Last')).statusCode, 201, 'PUT takes the largest id')
  const res = await send('POST', '/item', 'Chair')
  t.equal(res.statusCode, 201, 'POST /item is not blocked')
  t.same(responseProblems(operations.find((o) => o.id === 'createItem')!, res), [], 'as documented for POST /item')
  t.equal((await send('PUT', '/item/2', 'Lamp')).statusCode, 201, 'PUT can use a free id')
  t.equal((await send('POST', '/item', 'Desk')).json().id, 3, 'POST skips the id PUT took')
  const ids = (await app.inject({ method: 'GET', url: '/item', headers: admin.headers })).json().data.map((i: { id: number }) => i.id)
  t.same(ids, [1, 2, 3, 2147483647], 'every id unique and within the range')
})

t.test('NUL in a login or a User-Agent: refused or replaced, never a 500', async (t) => {
  const app = await build(t)
  await account(app, 'admin')
  for (const payload of [{ username: 'admin\u0000', password: PASSWORD }, { email: 'admin\u0000@example.com', password: PASSWORD }]) {
    expectError(t, await app.inject({ method: 'POST', url: '/login', payload }), 401, 'invalid_credentials')
  }
  const headers = { 'user-agent': 'Agent\u0000/1.0' }
  const res = await app.inject({ method: 'POST', url: '/login', headers, payload: { username: 'admin', password: PASSWORD } })
  t.equal(res.statusCode, 200, 'a User-Agent with NUL does not stop a login')
  const sessions = await app.inject({ method: 'GET', url: '/me/sessions', headers: bearer(res.json().access_token) })
  const current = (sessions.json().data as Array<{ current: boolean; user_agent: string | null }>).find((s) => s.current)
  t.equal(current?.user_agent, 'Agent\uFFFD/1.0', 'kept with U+FFFD in place of NUL')
})

t.test('fuzzing every operation from openapi.yaml', async (t) => {
  t.comment(`fuzz seed: ${SEED}, runs: ${RUNS} (replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`)
  const app = await build(t, ENV)
  const accounts = new Accounts(app)
  accounts.admin.id = await accounts.register(ADMIN)
  await accounts.ensure()
  t.equal(accounts.admin.id, 1, 'the admin is user 1')
  await seedCatalog(app, accounts.admin.access)

  const requests = plan(SEED, RUNS)
  const failures: Failure[] = []
  const counts: Record<Kind, number> = { '5xx': 0, undocumented: 0, schema: 0, 'accepted violation': 0, 'rejected valid': 0 }
  const statuses = new Map<string, Map<number, number>>(operations.map((op) => [op.name, new Map()]))
  let violating = 0
  for (const [index, generated] of requests.entries()) {
    await accounts.ensure()
    await accounts.loadIds()
    const context = accounts.context()
    const req = await accounts.withLink(accounts.protect(resolveMarkers(generated, context)))
    const { inject, sent } = materialize(req, context)
    const res = await app.inject(inject)
    const { found, broken } = judge(req.op, req, sent, res)
    if (broken) violating++
    const seen = statuses.get(req.op.name)!
    seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1)
    for (const { kind, reason } of found) {
      counts[kind]++
      failures.push({ kind, reason, index, ...describe(inject, res) })
    }
    await accounts.after(req, res, sent.path)
  }

  const shown = new Map<Kind, number>()
  for (const f of failures) {
    shown.set(f.kind, (shown.get(f.kind) ?? 0) + 1)
    if (shown.get(f.kind)! > 5) continue
    const replay = `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`
    t.comment(`FUZZ FAILURE [${f.kind}] request #${f.index} (${replay}): ${f.reason}\n    ${f.request}\n    response: ${f.response}`)
  }
  for (const [name, seen] of statuses) {
    t.comment(`${name}: ${[...seen].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')}`)
  }
  t.comment(
    `fuzz requests: ${requests.length}, 5xx: ${counts['5xx']}, undocumented statuses: ${counts.undocumented}, ` +
      `schema mismatches: ${counts.schema}`,
  )
  t.comment(
    `fuzz: ${violating} requests broke the spec, ${counts['accepted violation']} of them accepted; ` +
      `${counts['rejected valid']} valid requests refused; ${accounts.reseeds} re-logins`,
  )
  t.equal(counts['5xx'], 0, 'no 5xx')
  t.equal(counts.undocumented, 0, 'every status is documented for its operation')
  t.equal(counts.schema, 0, 'every body matches its documented schema and Content-Type')
  t.equal(counts['accepted violation'], 0, 'no request that breaks the spec succeeds')
  t.equal(counts['rejected valid'], 0, 'no schema-valid request is refused as invalid')
  const missed = [...statuses].filter(([, seen]) => ![...seen.keys()].some((status) => status < 300)).map(([name]) => name)
  // A short run (a small FUZZ_RUNS) may not get far enough into every operation to see a success.
  if (RUNS >= 2000) t.same(missed, [], 'every operation answered 2xx at least once')
  else t.comment(`operations without a 2xx in this short run: ${missed.join(', ') || 'none'}`)
})
