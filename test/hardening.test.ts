import t from 'tap'
import { account, build, expectError } from './helper.js'

t.test('security headers on every response, JSON and /docs alike', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'alice')
  const responses = {
    'GET /': await app.inject('/'),
    'GET /me (401)': await app.inject('/me'),
    'GET /nope (404)': await app.inject('/nope'),
    'POST /store (400)': await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: {} }),
    'GET /docs/': await app.inject('/docs/'),
    'GET /docs/json': await app.inject('/docs/json'),
  }
  for (const [name, res] of Object.entries(responses)) {
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: nosniff`)
    t.ok(res.headers['content-security-policy'], `${name}: CSP`)
    t.notMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/, `${name}: works over plain HTTP`)
    t.ok(res.headers['strict-transport-security'], `${name}: HSTS`)
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${name}: referrer policy`)
    t.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/, `${name}: request id`)
    t.notOk(res.headers['x-powered-by'], `${name}: no x-powered-by`)
  }
  t.match(String(responses['GET /'].headers['content-security-policy']), /frame-ancestors 'none'/)
})

t.test('token responses are never cached', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: alice.password } })
  t.equal(login.headers['cache-control'], 'no-store')
  const refresh = await app.inject({ method: 'POST', url: '/refresh', headers: { authorization: `Bearer ${alice.refresh}` } })
  t.equal(refresh.statusCode, 200)
  t.equal(refresh.headers['cache-control'], 'no-store')
})

t.test('body limit and media type', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) })
  expectError(t, await app.inject({ method: 'POST', url: '/store', headers: { ...alice.headers, 'content-type': 'application/json' }, payload: big }), 413, 'payload_too_large')
  const justUnder = JSON.stringify({ name: 'x'.repeat(1024 * 1024 - 20) })
  expectError(t, await app.inject({ method: 'POST', url: '/store', headers: { ...alice.headers, 'content-type': 'application/json' }, payload: justUnder }), 400, 'validation_error')
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const res = await app.inject({ method: 'POST', url: '/store', headers: { ...alice.headers, 'content-type': type }, payload: 'name=x' })
    expectError(t, res, 415, 'unsupported_media_type')
  }
})

t.test('CORS: none by default, only the configured origins otherwise', async (t) => {
  const closed = await build(t)
  const res = await closed.inject({ url: '/store', headers: { origin: 'https://evil.example' } })
  t.notOk(res.headers['access-control-allow-origin'], 'no CORS header by default')

  const open = await build(t, { CORS_ORIGINS: 'https://app.example' })
  const allowed = await open.inject({ url: '/store', headers: { origin: 'https://app.example' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://app.example')
  const other = await open.inject({ url: '/store', headers: { origin: 'https://evil.example' } })
  t.notOk(other.headers['access-control-allow-origin'], 'an unlisted origin gets nothing')
  const preflight = await open.inject({
    method: 'OPTIONS',
    url: '/store',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  })
  t.equal(preflight.statusCode, 204)
  t.match(String(preflight.headers['access-control-allow-headers']), /Authorization/)
  t.match(String(preflight.headers['access-control-allow-methods']), /POST/)
})
