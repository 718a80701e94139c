import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import type { LightMyRequestResponse } from 'fastify'
import { account, build, decodeJwt, expectError, logCapture } from './helper.js'

const ERROR_KEYS = ['code', 'details', 'error', 'message', 'statusCode']

/** expectError, plus: JSON, no key beyond the Error schema's, and well-formed details. */
function expectErrorShape(t: Test, res: LightMyRequestResponse, status: number, code: string) {
  expectError(t, res, status, code)
  t.match(res.headers['content-type'], /^application\/json/, 'JSON content type')
  const body = res.json() as Record<string, unknown>
  t.same(
    Object.keys(body).filter((k) => !ERROR_KEYS.includes(k)),
    [],
    'no keys beyond statusCode, code, error, message, details',
  )
  if ('details' in body) {
    t.ok(Array.isArray(body.details), 'details is a list')
    for (const d of body.details as Array<Record<string, unknown>>) {
      t.same(Object.keys(d).sort(), ['message', 'path'], 'a detail is { path, message }')
      t.type(d.path, 'string')
      t.type(d.message, 'string')
    }
  }
  return body
}

const detailPaths = (res: LightMyRequestResponse) => (res.json().details ?? []).map((d: { path: string }) => d.path)

/** Every key name anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf)
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)])
  return []
}

const json = { 'content-type': 'application/json' }

t.test('errors Fastify raises itself use the Error shape', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')

  t.test('unknown route: 404 not_found', async (t) => {
    expectErrorShape(t, await app.inject({ method: 'GET', url: '/nope' }), 404, 'not_found')
    expectErrorShape(t, await app.inject({ method: 'PATCH', url: '/store' }), 404, 'not_found')
  })

  t.test('malformed JSON: 400 validation_error that does not echo the body', async (t) => {
    const payload = '{"username": "secret-body-value", '
    const res = await app.inject({ method: 'POST', url: '/register', headers: json, payload })
    const body = expectErrorShape(t, res, 400, 'validation_error')
    t.notMatch(res.body, /secret-body-value/, 'the body is not echoed')
    t.notMatch(String(body.message), /Unexpected|position/i, 'no parser internals')
    const poisoned = await app.inject({
      method: 'POST',
      url: '/register',
      headers: json,
      payload: '{"username":"eve","password":"password-123","__proto__":{"is_admin":true}}',
    })
    expectErrorShape(t, poisoned, 400, 'validation_error')
  })

  t.test('a body over 1 MiB: 413 payload_too_large', async (t) => {
    const payload = JSON.stringify({ username: 'big', password: 'x'.repeat(1024 * 1024) })
    const res = await app.inject({ method: 'POST', url: '/register', headers: json, payload })
    expectErrorShape(t, res, 413, 'payload_too_large')
    t.equal(await app.repos.users.findByLogin('big'), undefined, 'nobody registered')
  })

  t.test('a body that is not JSON: 415 unsupported_media_type', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/store',
      headers: { ...admin.headers, 'content-type': 'text/plain' },
      payload: '{"name":"Plain"}',
    })
    expectErrorShape(t, res, 415, 'unsupported_media_type')
    t.equal((await app.inject({ method: 'GET', url: '/store' })).json().total, 0, 'no store created')
  })
})

t.test('validation errors', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const store = (await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'Main' } })).json()

  t.test('carry details [{ path, message }]', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/register', payload: { username: 'shorty', password: 'short' } })
    expectErrorShape(t, res, 400, 'validation_error')
    t.same(detailPaths(res), ['/password'])
    const missing = await app.inject({ method: 'POST', url: '/register', payload: { password: 'password-123' } })
    expectErrorShape(t, missing, 400, 'validation_error')
    t.same(detailPaths(missing), ['/username'], 'a missing field is named by its path')
  })

  t.test('bodies are not coerced: a string for a number is 400', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/item', headers: admin.headers, payload: { name: 'Chair', price: 1, store_id: String(store.id) } })
    expectErrorShape(t, res, 400, 'validation_error')
    t.same(detailPaths(res), ['/store_id'])
    const numberName = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 123 } })
    expectErrorShape(t, numberName, 400, 'validation_error')
    t.equal(await app.repos.items.list({ limit: 100, offset: 0 }).then((p) => p.total), 0, 'nothing stored')
  })

  t.test('query and path numbers are converted from their string form', async (t) => {
    const page = await app.inject({ method: 'GET', url: '/store?limit=5&offset=0' })
    t.equal(page.statusCode, 200)
    t.equal(page.json().limit, 5, 'limit comes back as a number')
    t.equal(page.json().offset, 0)
    const one = await app.inject({ method: 'GET', url: `/store/${store.id}` })
    t.equal(one.statusCode, 200)
    t.equal(one.json().id, store.id)
    const filtered = await app.inject({ method: 'GET', url: `/item?store_id=${store.id}`, headers: admin.headers })
    t.equal(filtered.statusCode, 200)
  })

  t.test('unknown body fields are rejected', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'mallory', password: 'password-123', is_admin: true },
    })
    expectErrorShape(t, res, 400, 'validation_error')
    t.same(detailPaths(res), ['/is_admin'])
    t.equal(await app.repos.users.findByLogin('mallory'), undefined, 'not registered')
    const store2 = await app.inject({ method: 'POST', url: '/store', headers: admin.headers, payload: { name: 'X', id: 9 } })
    expectErrorShape(t, store2, 400, 'validation_error')
  })
})

t.test('authentication comes before 403, 404 and 400', async (t) => {
  const app = await build(t)
  await account(app, 'admin')
  const user = await account(app, 'bob')

  t.test('a bad body without a token is 401', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/item', payload: { name: '', price: 'free' } })
    expectErrorShape(t, res, 401, 'authorization_required')
    const malformed = await app.inject({ method: 'POST', url: '/store', headers: json, payload: '{"name": ' })
    expectErrorShape(t, malformed, 401, 'authorization_required')
    const huge = await app.inject({ method: 'POST', url: '/store', headers: json, payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }) })
    expectErrorShape(t, huge, 401, 'authorization_required')
  })

  t.test('a bad path id without a token is 401', async (t) => {
    expectErrorShape(t, await app.inject({ method: 'DELETE', url: '/store/abc' }), 401, 'authorization_required')
  })

  t.test('a non-admin deleting a missing store is 403 admin_required, not 404', async (t) => {
    expectErrorShape(t, await app.inject({ method: 'DELETE', url: '/store/999', headers: user.headers }), 403, 'admin_required')
    expectErrorShape(t, await app.inject({ method: 'DELETE', url: '/item/abc', headers: user.headers }), 403, 'admin_required')
  })
})

t.test('then the owner rule, then 404, then the body and the params', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const bob = await account(app, 'bob')

  t.test("another user's account is 403 forbidden before its id or body is looked at", async (t) => {
    expectErrorShape(t, await app.inject({ url: `/user/${admin.id}`, headers: bob.headers }), 403, 'forbidden')
    expectErrorShape(t, await app.inject({ url: '/user/abc', headers: bob.headers }), 403, 'forbidden')
    expectErrorShape(t, await app.inject({ method: 'DELETE', url: '/user/0', headers: bob.headers }), 403, 'forbidden')
    t.equal((await app.inject({ url: `/user/0${bob.id}`, headers: bob.headers })).statusCode, 200, 'their own id, however written')
    expectErrorShape(t, await app.inject({ url: '/user/abc', headers: admin.headers }), 400, 'validation_error')
  })

  t.test('a missing user is 404 before a bad body is 400 or 415', async (t) => {
    const patch = (id: number | string, payload: string, type = 'application/json') =>
      app.inject({ method: 'PATCH', url: `/user/${id}`, headers: { ...admin.headers, 'content-type': type }, payload })
    expectErrorShape(t, await patch(999999, '{}'), 404, 'not_found')
    expectErrorShape(t, await patch(999999, '{"roles": 5'), 404, 'not_found')
    expectErrorShape(t, await patch(999999, 'roles=admin', 'text/plain'), 404, 'not_found')
    expectErrorShape(t, await patch(bob.id, '{}'), 400, 'validation_error')
    expectErrorShape(t, await patch('abc', '{}'), 400, 'validation_error')
  })
})

t.test('a crash is a 500 without its cause; /health reports 503', async (t) => {
  const { stream, lines } = logCapture()
  const app = await build(t, { LOG_LEVEL: 'error' }, { logStream: stream })
  const admin = await account(app, 'admin')
  app.db.close()

  t.test('a DB route is 500 internal_error with a generic message', async (t) => {
    for (const url of ['/store', '/store/1']) {
      const res = await app.inject({ method: 'GET', url })
      const body = expectErrorShape(t, res, 500, 'internal_error')
      t.equal(body.details, undefined)
      t.notMatch(res.body, /select|sqlite|stores|database|connection|\bat\s|\.ts\b|stack/i, 'no SQL, driver text or stack')
      const logged = lines.find((l) => l.reqId === res.headers['x-request-id'] && l.level === 50)
      t.ok(logged, 'logged as an error with the request id')
    }
  })

  t.test('a valid token on a protected route is 500 too: no auth error, no access', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/me', headers: admin.headers })
    expectErrorShape(t, res, 500, 'internal_error')
    t.notMatch(res.body, /admin|sessions|select/i)
  })

  t.test('/health is 503 service_unavailable in the Error shape', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/health' })
    expectErrorShape(t, res, 503, 'service_unavailable')
    t.notMatch(res.body, /sqlite|connection is not open|\bat\s/i)
  })
})

t.test('success bodies of GET / and GET /health', async (t) => {
  const app = await build(t)
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string }
  const root = await app.inject({ method: 'GET', url: '/' })
  t.equal(root.statusCode, 200)
  t.same(root.json(), { name: pkg.name, version: pkg.version, status: 'ok', docs: '/docs' })
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok', database: 'ok' })
})

t.test('no response carries a password or hash field', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const responses: Record<string, LightMyRequestResponse> = {
    register: await app.inject({ method: 'POST', url: '/register', payload: { username: 'erin', password: 'password-123', email: 'erin@example.com' } }),
    login: await app.inject({ method: 'POST', url: '/login', payload: { username: 'erin', password: 'password-123' } }),
    me: await app.inject({ method: 'GET', url: '/me', headers: admin.headers }),
    users: await app.inject({ method: 'GET', url: '/users', headers: admin.headers }),
    user: await app.inject({ method: 'GET', url: `/user/${admin.id}`, headers: admin.headers }),
    conflict: await app.inject({ method: 'POST', url: '/register', payload: { username: 'ERIN', password: 'password-456' } }),
  }
  for (const [name, res] of Object.entries(responses)) {
    t.ok(res.statusCode < 500, `${name}: ${res.statusCode}`)
    const keys = keysOf(res.json())
    t.ok(keys.length > 0, `${name} has a body`)
    t.same(keys.filter((k) => /password|hash/i.test(k)), [], `${name}: no password or hash keys`)
    t.notMatch(res.body, /\$argon2/, `${name}: no argon2 hash anywhere`)
  }
  t.equal(responses.users!.json().total, 2, 'the user list covers both users')
  const tokens = responses.login!.json()
  for (const token of [tokens.access_token, tokens.refresh_token]) {
    t.same(keysOf(decodeJwt(token)).filter((k) => /password|hash/i.test(k)), [], 'no password claims in tokens')
  }
})
