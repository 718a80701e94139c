import t, { type Test } from 'tap'
import { hash, parseOptions } from '@node-rs/argon2'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../src/app.js'
import { account, bearer, build, expectError, rawQuery } from './helper.js'

const PASSWORD = 'password-123'
const USER_FIELDS = ['created_at', 'email', 'email_verified', 'id', 'is_active', 'is_admin', 'roles', 'username']

type Body = Record<string, unknown>

const register = (app: App, payload: Body, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/register', payload, remoteAddress })

const postLogin = (app: App, payload: Body, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/login', payload, remoteAddress })

async function userCount(app: App) {
  return (await app.repos.users.list(1, 0)).total
}

/** Sends `count` requests in order; returns their statuses. */
async function statuses(count: number, send: (i: number) => Promise<LightMyRequestResponse>) {
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push((await send(i)).statusCode)
  return out
}

/** A 429 in the Error shape with an integer Retry-After of at most one window. */
function expectTooMany(t: Test, res: LightMyRequestResponse) {
  expectError(t, res, 429, 'too_many_requests')
  const retryAfter = String(res.headers['retry-after'])
  t.match(retryAfter, /^[0-9]+$/, 'Retry-After is whole seconds')
  t.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter} within 1..60`)
}

t.test('POST /register', async (t) => {
  const app = await build(t)

  t.test('201 User with Location, never the password or its hash', async (t) => {
    const res = await register(app, { username: 'Alice', password: PASSWORD, email: 'Alice@Example.com' })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.same(Object.keys(body).sort(), USER_FIELDS)
    t.match(body, { id: Number, username: 'Alice', email: 'Alice@Example.com', is_active: true })
    t.ok(new Date(body.created_at).toISOString() === body.created_at, 'created_at is ISO 8601 UTC')
    t.equal(res.headers.location, `/user/${body.id}`)
    t.notMatch(res.body, PASSWORD)
    t.notMatch(res.body, /argon2/)

    const stored = await app.repos.users.findById(body.id)
    t.match(stored?.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'stored as an argon2id hash')
    t.notMatch(stored?.passwordHash, PASSWORD)
  })

  t.test('the first user is an admin, the next ones plain users', async (t) => {
    const first = await app.repos.users.findByLogin('alice')
    t.same(first?.roles, ['admin', 'user'])
    const res = await register(app, { username: 'bob', password: PASSWORD })
    t.equal(res.statusCode, 201)
    t.match(res.json(), { roles: ['user'], is_admin: false, email: null })
    t.same(res.json().roles, ['user'])
  })

  t.test('a duplicate username in another case: 409 conflict', async (t) => {
    const before = await userCount(app)
    expectError(t, await register(app, { username: 'ALICE', password: PASSWORD }), 409, 'conflict')
    expectError(t, await register(app, { username: 'Bob', password: PASSWORD }), 409, 'conflict')
    t.equal(await userCount(app), before)
  })

  t.test('a duplicate email, in any case: 409 conflict', async (t) => {
    const res = await register(app, { username: 'carol', password: PASSWORD, email: 'alice@EXAMPLE.COM' })
    expectError(t, res, 409, 'conflict')
    t.equal(await app.repos.users.findByLogin('carol'), undefined)
  })

  t.test('username and password rules', async (t) => {
    const bad: [string, Body][] = [
      ['2-char username', { username: 'ab', password: PASSWORD }],
      ['81-char username', { username: 'u'.repeat(81), password: PASSWORD }],
      ['username with a space and !', { username: 'bad name!', password: PASSWORD }],
      ['7-char password', { username: 'shortpw', password: 'a'.repeat(7) }],
      ['129-char password', { username: 'longpw', password: 'a'.repeat(129) }],
      ['no password', { username: 'nopw' }],
    ]
    for (const [name, payload] of bad) {
      const res = await register(app, payload)
      expectError(t, res, 400, 'validation_error')
      t.ok(Array.isArray(res.json().details), `${name}: details listed`)
    }
    const good: Body[] = [
      { username: 'abc', password: 'a'.repeat(8) },
      { username: 'u'.repeat(80), password: 'b'.repeat(128) },
      { username: 'a_b.c-D9', password: PASSWORD },
    ]
    for (const payload of good) t.equal((await register(app, payload)).statusCode, 201, `${String(payload.username).slice(0, 12)} accepted`)
  })

  t.test('a password longer than 72 bytes is used in full', async (t) => {
    const password = 'x'.repeat(36) + 'y'.repeat(64)
    t.equal((await register(app, { username: 'longpass', password })).statusCode, 201)
    expectError(t, await postLogin(app, { username: 'longpass', password: password.slice(0, 72) }), 401, 'invalid_credentials')
    expectError(t, await postLogin(app, { username: 'longpass', password: password.slice(0, 99) }), 401, 'invalid_credentials')
    t.equal((await postLogin(app, { username: 'longpass', password })).statusCode, 200)
  })

  t.test('fields a client may not set are rejected and nothing is created', async (t) => {
    const before = await userCount(app)
    const extras: Body[] = [
      { roles: ['admin', 'user'] },
      { is_admin: true },
      { id: 999 },
      { is_active: false },
      { created_at: '2000-01-01T00:00:00.000Z' },
    ]
    for (const extra of extras) {
      const res = await register(app, { username: 'mallory', password: PASSWORD, ...extra })
      expectError(t, res, 400, 'validation_error')
    }
    t.equal(await userCount(app), before)
    t.equal(await app.repos.users.findByLogin('mallory'), undefined)
  })
})

t.test('FIRST_USER_IS_ADMIN=false: the first user is a plain user', async (t) => {
  const app = await build(t, { FIRST_USER_IS_ADMIN: 'false' })
  const res = await register(app, { username: 'alice', password: PASSWORD })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { is_admin: false })
  t.same(res.json().roles, ['user'])
})

t.test('first registrations at once make exactly one admin', async (t) => {
  const app = await build(t)
  const names = ['ann', 'ben', 'cat', 'dan', 'eve']
  const results = await Promise.all(names.map((username) => register(app, { username, password: PASSWORD })))
  t.same(results.map((r) => r.statusCode), names.map(() => 201))
  const admins = results.filter((r) => r.json().is_admin)
  t.equal(admins.length, 1, 'one admin')
  t.same(admins[0]?.json().roles, ['admin', 'user'])
  const { rows } = await app.repos.users.list(10, 0)
  t.equal(rows.filter((u) => u.roles.includes('admin')).length, 1, 'one admin stored')
})

t.test('POST /login', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const reg = await register(app, { username: 'Alice', password: PASSWORD, email: 'alice@example.com' })
  const aliceId = reg.json().id as number

  t.test('by username, in any case, or by email', async (t) => {
    const logins: Body[] = [
      { username: 'Alice', password: PASSWORD },
      { username: 'aLICE', password: PASSWORD },
      { email: 'alice@example.com', password: PASSWORD },
      { email: 'ALICE@example.COM', password: PASSWORD },
      { username: 'Alice@Example.com', password: PASSWORD },
    ]
    for (const payload of logins) {
      const res = await postLogin(app, payload)
      t.equal(res.statusCode, 200, JSON.stringify(payload))
      const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(res.json().access_token) })
      t.equal(me.json().id, aliceId, 'a token for alice')
    }
  })

  t.test('the TokenPair', async (t) => {
    const res = await postLogin(app, { username: 'alice', password: PASSWORD })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type'])
    t.match(body, { access_token: /^[\w-]+\.[\w-]+\.[\w-]+$/, refresh_token: /^[\w-]+\.[\w-]+\.[\w-]+$/ })
    t.equal(body.token_type, 'Bearer')
    t.equal(body.expires_in, 900)
    t.equal(body.refresh_expires_in, 2592000)
    t.match(res.headers['cache-control'], /\bno-store\b/)
  })

  t.test('a wrong password and an unknown user get the same 401', async (t) => {
    const wrong = await postLogin(app, { username: 'alice', password: 'wrong-password' })
    const unknown = await postLogin(app, { username: 'nobody', password: 'wrong-password' })
    const unknownEmail = await postLogin(app, { email: 'nobody@example.com', password: PASSWORD })
    for (const res of [wrong, unknown, unknownEmail]) expectError(t, res, 401, 'invalid_credentials')
    t.same(unknown.json(), wrong.json())
    t.same(unknownEmail.json(), wrong.json())
    t.equal(unknown.headers['www-authenticate'], wrong.headers['www-authenticate'])
  })

  t.test('an unknown user costs one argon2 verification against the dummy hash', async (t) => {
    const count = () => app.passwords.dummyVerifications
    const start = count()
    await postLogin(app, { username: 'nobody', password: PASSWORD })
    t.equal(count(), start + 1, 'unknown username')
    await postLogin(app, { email: 'ghost@example.com', password: PASSWORD })
    t.equal(count(), start + 2, 'unknown email')
    await postLogin(app, { username: 'alice', password: 'wrong-password' })
    t.equal(count(), start + 2, 'a known user is verified against their own hash')
    await postLogin(app, { username: 'alice', password: PASSWORD })
    t.equal(count(), start + 2)
  })

  t.test('a deactivated user: 403 user_inactive with the right password only', async (t) => {
    const bob = await account(app, 'bob')
    const res = await app.inject({ method: 'PATCH', url: `/user/${bob.id}`, headers: admin.headers, payload: { is_active: false } })
    t.equal(res.statusCode, 200)
    expectError(t, await postLogin(app, { username: 'bob', password: PASSWORD }), 403, 'user_inactive')
    expectError(t, await postLogin(app, { username: 'bob', password: 'wrong-password' }), 401, 'invalid_credentials')
  })

  t.test('a hash made with weaker parameters is upgraded at login', async (t) => {
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 })
    await rawQuery(app, sql`UPDATE users SET password_hash = ${weak} WHERE id = ${aliceId}`)
    t.equal((await app.repos.users.findById(aliceId))?.passwordHash, weak)

    t.equal((await postLogin(app, { username: 'alice', password: PASSWORD })).statusCode, 200, 'the old hash still verifies')
    const upgraded = (await app.repos.users.findById(aliceId))?.passwordHash ?? ''
    t.not(upgraded, weak)
    t.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    t.match(parseOptions(upgraded), { memoryCost: 19456, timeCost: 2, parallelism: 1 })
    t.equal((await postLogin(app, { username: 'alice', password: PASSWORD })).statusCode, 200, 'and the new one too')
    t.equal((await app.repos.users.findById(aliceId))?.passwordHash, upgraded, 'a current hash is left alone')
  })

  t.test('a body without a password or without a login name: 400', async (t) => {
    const bodies: Body[] = [{ username: 'alice' }, { email: 'alice@example.com' }, { password: PASSWORD }, {}]
    for (const payload of bodies) expectError(t, await postLogin(app, payload), 400, 'validation_error')
  })
})

t.test('rate limits on /login and /register (AUTH_RATE_LIMIT=3)', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT: '3' })
  // Registered without logging in, so no /login attempt for alice is counted yet.
  t.equal((await register(app, { username: 'alice', password: PASSWORD })).statusCode, 201)

  t.test('per client address on /login', async (t) => {
    const send = (i: number) => postLogin(app, { username: `user${i}`, password: PASSWORD }, '10.0.0.1')
    t.same(await statuses(3, send), [401, 401, 401])
    expectTooMany(t, await send(3))
    const elsewhere = await postLogin(app, { username: 'user9', password: PASSWORD }, '10.0.0.2')
    t.equal(elsewhere.statusCode, 401, 'another address is not limited')
  })

  t.test('per username on /login, across addresses', async (t) => {
    const send = (i: number) => postLogin(app, { username: 'alice', password: 'wrong-password' }, `10.0.1.${i + 1}`)
    t.same(await statuses(3, send), [401, 401, 401])
    expectTooMany(t, await send(3))
    const caseVariant = await postLogin(app, { username: 'ALICE', password: PASSWORD }, '10.0.1.9')
    expectTooMany(t, caseVariant)
    const other = await postLogin(app, { username: 'bob', password: PASSWORD }, '10.0.1.10')
    t.equal(other.statusCode, 401, 'another username is not limited')
  })

  t.test('per client address on /register', async (t) => {
    const send = (i: number) => register(app, { username: `reg${i}`, password: PASSWORD }, '10.0.2.1')
    t.same(await statuses(3, send), [201, 201, 201])
    expectTooMany(t, await send(3))
    t.equal(await app.repos.users.findByLogin('reg3'), undefined, 'the limited registration created nothing')
    t.equal((await register(app, { username: 'reg4', password: PASSWORD }, '10.0.2.2')).statusCode, 201)
  })
})

t.test('AUTH_RATE_LIMIT=0 turns the limits off', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT: '0' })
  await account(app, 'alice')
  const codes = await statuses(20, () => postLogin(app, { username: 'alice', password: 'wrong-password' }, '10.0.3.1'))
  t.same(codes, Array(20).fill(401))
  const regs = await statuses(20, (i) => register(app, { username: `many${i}`, password: PASSWORD }, '10.0.3.1'))
  t.same(regs, Array(20).fill(201))
})
