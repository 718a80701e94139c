// Response headers: the API set on JSON, a page CSP on HTML, and Cache-Control: no-store on every
// response to a request that carried credentials, whatever the operation and its answer.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { LightMyRequestResponse } from 'fastify'
import { parse } from 'yaml'
import type { App } from '../src/app.js'
import { account, build, createStore } from './helper.js'

const spec = parse(readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: unknown; operationId: string }>>
}

const API_SET = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'no-referrer',
}
/** What helmet adds for HTML pages and an API does not need. */
const PAGE_ONLY = [
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'origin-agent-cluster',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'x-powered-by',
]

function hasApiSet(t: Test, res: LightMyRequestResponse, what: string) {
  for (const [name, value] of Object.entries(API_SET)) t.equal(res.headers[name], value, `${what}: ${name}`)
  t.same(PAGE_ONLY.filter((name) => name in res.headers), [], `${what}: none of the HTML page headers`)
}

t.test('JSON answers carry the API set, whatever their status', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'alice')
  const cases: Array<[string, Promise<LightMyRequestResponse>]> = [
    ['GET / (200)', app.inject('/')],
    ['GET /me (401)', app.inject('/me')],
    ['GET /nope (404)', app.inject('/nope')],
    ['POST /store (400)', app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: {} })],
    ['POST /store (415)', app.inject({ method: 'POST', url: '/store', headers: { ...admin.headers, 'content-type': 'text/plain' }, payload: 'x' })],
    ['GET /docs/json', app.inject('/docs/json')],
  ]
  for (const [what, res] of cases) hasApiSet(t, await res, what)
})

t.test('the /docs page gets a CSP that lets it run from its own origin only', async (t) => {
  const app = await build(t)
  const res = await app.inject('/docs/')
  t.match(res.headers['content-type'], /^text\/html/)
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /default-src 'self'/)
  t.match(csp, /script-src 'self'(;|$)/, 'scripts from this origin only')
  t.notMatch(csp, /unsafe-eval|https:|upgrade-insecure-requests/, 'no eval, no other origins, works over plain HTTP')
  t.match(csp, /frame-ancestors 'none'/)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
})

/** Every operation of the spec, sent with `credentials` and an empty JSON body where it takes one. */
async function everyOperation(app: App, credentials: Record<string, string>, storeId: number) {
  const replies: Array<[string, LightMyRequestResponse]> = []
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      // Ids nobody has (a 404 at worst): the walk must not delete the account it walks with.
      const url = path.replace('{id}', path.startsWith('/store') ? String(storeId) : '999999').replace('{sid}', randomUUID())
      const res = await app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: { ...credentials, ...(op.requestBody ? { 'content-type': 'application/json' } : {}) },
        ...(op.requestBody ? { payload: '{}' } : {}),
      })
      replies.push([`${method.toUpperCase()} ${path} (${res.statusCode})`, res])
    }
  }
  return replies
}

t.test('Cache-Control: no-store on every operation when the request carried a bearer token', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'alice')
  const store = await createStore(app, admin.headers, 'Corner Shop')
  const replies = await everyOperation(app, admin.headers, store.id)
  t.ok(replies.length >= 20, `walked ${replies.length} operations`)
  for (const [what, res] of replies) t.equal(res.headers['cache-control'], 'no-store', what)
})

t.test('Cache-Control: no-store on every operation when the request carried cookies (cookie mode)', async (t) => {
  const app = await build(t, { JWT_TOKEN_LOCATION: 'headers,cookies' })
  const admin = await account(app, 'alice')
  const store = await createStore(app, admin.headers, 'Corner Shop')
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: admin.password } })
  const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
  for (const [what, res] of await everyOperation(app, { cookie }, store.id)) t.equal(res.headers['cache-control'], 'no-store', what)
})

t.test('anonymous answers to public reads may be cached; token responses never', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  t.equal((await app.inject('/store')).headers['cache-control'], undefined, 'GET /store without credentials says nothing')
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: alice.password } })
  t.equal(login.headers['cache-control'], 'no-store', 'a token in the body: no-store without credentials in the request')
})
