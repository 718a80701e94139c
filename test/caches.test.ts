// What the speed must not cost: a token the service has already verified (and keeps verified)
// is still refused at once after a revocation, a deactivation or a demotion, on this instance
// and on another sharing the database, and once it has expired.
import t from 'tap'
import { account, bearer, build, expectError } from './helper.js'

const me = (app: Awaited<ReturnType<typeof build>>, token: string) => app.inject({ url: '/me', headers: bearer(token) })

t.test('a verified token is refused at once after every change that revokes it', async (t) => {
  const a = await build(t)
  const b = await build(t, { DATABASE_URL: a.config.databaseUrl })
  const admin = await account(a, 'admin')
  const alice = await account(a, 'alice')
  const bob = await account(a, 'bob')
  // Each token verified (and kept) by both instances first.
  for (const token of [admin.access, alice.access, bob.access]) {
    t.equal((await me(a, token)).statusCode, 200)
    t.equal((await me(b, token)).statusCode, 200)
  }

  t.test('logout on one instance: refused on both', async (t) => {
    t.equal((await a.inject({ method: 'POST', url: '/logout', headers: alice.headers })).statusCode, 200)
    expectError(t, await me(a, alice.access), 401, 'token_revoked')
    expectError(t, await me(b, alice.access), 401, 'token_revoked')
  })

  t.test('deactivation on the other instance: refused on both', async (t) => {
    const res = await b.inject({ method: 'PATCH', url: `/user/${bob.id}`, headers: admin.headers, payload: { is_active: false } })
    t.equal(res.statusCode, 200)
    expectError(t, await me(a, bob.access), 401, 'user_inactive')
    expectError(t, await me(b, bob.access), 401, 'user_inactive')
  })

  t.test('demotion: the next admin request is refused on both', async (t) => {
    const other = await account(a, 'carol')
    await a.inject({ method: 'PATCH', url: `/user/${other.id}`, headers: admin.headers, payload: { roles: ['admin', 'user'] } })
    const promoted = (await a.inject({ method: 'POST', url: '/login', payload: { username: 'carol', password: other.password } })).json()
    t.equal((await b.inject({ url: '/users', headers: bearer(promoted.access_token) })).statusCode, 200, 'an admin, verified by B')
    await b.inject({ method: 'PATCH', url: `/user/${other.id}`, headers: admin.headers, payload: { roles: ['user'] } })
    expectError(t, await a.inject({ url: '/users', headers: bearer(promoted.access_token) }), 403, 'admin_required')
    expectError(t, await b.inject({ url: '/users', headers: bearer(promoted.access_token) }), 403, 'admin_required')
  })
})

t.test('a verified token is refused once it has expired', async (t) => {
  const app = await build(t, { JWT_ACCESS_TOKEN_EXPIRES: '1s' })
  const dave = await account(app, 'dave')
  t.equal((await me(app, dave.access)).statusCode, 200, 'verified and kept')
  await new Promise((resolve) => setTimeout(resolve, 2100))
  expectError(t, await me(app, dave.access), 401, 'token_expired')
})
