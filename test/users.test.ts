import t from 'tap'
import { sql } from 'drizzle-orm'
import type { App } from '../src/app.js'
import { account, bearer, build, expectError, rawNumber, type Account } from './helper.js'

type Headers = { authorization: string }

const getUser = (app: App, headers: Headers, id: number | string) => app.inject({ method: 'GET', url: `/user/${id}`, headers })
const patchUser = (app: App, headers: Headers, id: number, payload: unknown) =>
  app.inject({ method: 'PATCH', url: `/user/${id}`, headers, payload: payload as object })
const deleteUser = (app: App, headers: Headers, id: number) => app.inject({ method: 'DELETE', url: `/user/${id}`, headers })
const me = (app: App, headers: Headers) => app.inject({ method: 'GET', url: '/me', headers })
const tryLogin = (app: App, who: Account) =>
  app.inject({ method: 'POST', url: '/login', payload: { username: who.username, password: who.password } })

async function sessionRows(app: App, userId: number) {
  return (await rawNumber(app, sql`SELECT count(*) AS n FROM sessions WHERE user_id = ${userId}`)) ?? -1
}

/** The stored user, as the admin sees it. */
async function stored(app: App, admin: Account, id: number) {
  const res = await getUser(app, admin.headers, id)
  return res.statusCode === 200 ? res.json() : undefined
}

t.test('GET /users', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const alice = await account(app, 'alice')
  await account(app, 'bob')

  const res = await app.inject({ method: 'GET', url: '/users', headers: admin.headers })
  t.equal(res.statusCode, 200)
  const page = res.json()
  t.match(page, { total: 3, limit: 20, offset: 0 })
  t.same(page.data.map((u: { username: string }) => u.username), ['admin', 'alice', 'bob'])
  t.match(page.data[0], { id: admin.id, email: null, roles: ['admin', 'user'], is_admin: true, is_active: true, created_at: String })
  t.notOk('password' in page.data[0] || 'password_hash' in page.data[0] || 'passwordHash' in page.data[0], 'no password')

  const second = (await app.inject({ method: 'GET', url: '/users?limit=1&offset=1', headers: admin.headers })).json()
  t.match(second, { total: 3, limit: 1, offset: 1 })
  t.same(second.data.map((u: { id: number }) => u.id), [alice.id])
  expectError(t, await app.inject({ method: 'GET', url: '/users?limit=101', headers: admin.headers }), 400, 'validation_error')

  expectError(t, await app.inject({ method: 'GET', url: '/users', headers: alice.headers }), 403, 'admin_required')
  expectError(t, await app.inject({ method: 'GET', url: '/users' }), 401, 'authorization_required')
})

t.test('GET /user/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const alice = await account(app, 'alice')
  const bob = await account(app, 'bob')

  const self = await getUser(app, alice.headers, alice.id)
  t.equal(self.statusCode, 200)
  t.match(self.json(), { id: alice.id, username: 'alice', roles: ['user'], is_admin: false, is_active: true })
  t.match((await getUser(app, admin.headers, bob.id)).json(), { id: bob.id, username: 'bob' }, 'an admin reads anyone')
  expectError(t, await getUser(app, alice.headers, bob.id), 403, 'forbidden')
  expectError(t, await getUser(app, admin.headers, 9999), 404, 'not_found')
  expectError(t, await getUser(app, admin.headers, 0), 400, 'validation_error')
  expectError(t, await getUser(app, admin.headers, 'abc'), 400, 'validation_error')
  // The owner rule (403) comes before validation (400): an id that is not yours is refused first.
  expectError(t, await getUser(app, alice.headers, 'abc'), 403, 'forbidden')
})

t.test('PATCH /user/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const alice = await account(app, 'alice')

  t.test('needs a fresh admin token', async (t) => {
    const pair = (await app.inject({ method: 'POST', url: '/refresh', headers: bearer(admin.refresh) })).json()
    expectError(t, await patchUser(app, bearer(pair.access_token), alice.id, { roles: ['user', 'editor'] }), 401, 'fresh_token_required')
    expectError(t, await patchUser(app, alice.headers, alice.id, { roles: ['admin', 'user'] }), 403, 'admin_required')
    t.same((await stored(app, admin, alice.id))?.roles, ['user'], 'nothing changed')
    // The refresh above rotated the admin's refresh token; keep `admin` usable.
    admin.refresh = pair.refresh_token
  })

  t.test('roles change shows in the body and in the user’s next /me', async (t) => {
    const res = await patchUser(app, admin.headers, alice.id, { roles: ['user', 'editor'] })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: alice.id, roles: ['user', 'editor'], is_admin: false, is_active: true })
    t.match((await me(app, alice.headers)).json(), { roles: ['user', 'editor'], is_admin: false })

    const promoted = await patchUser(app, admin.headers, alice.id, { roles: ['admin', 'user'] })
    t.match(promoted.json(), { is_admin: true })
    t.equal((await app.inject({ method: 'GET', url: '/users', headers: alice.headers })).statusCode, 200, 'admin at once')
    t.equal((await patchUser(app, admin.headers, alice.id, { roles: ['user'] })).statusCode, 200)
    expectError(t, await app.inject({ method: 'GET', url: '/users', headers: alice.headers }), 403, 'admin_required')
  })

  t.test('deactivation ends the user’s sessions; re-activation lets them in again', async (t) => {
    const bob = await account(app, 'bob')
    t.equal(await sessionRows(app, bob.id), 1)
    const res = await patchUser(app, admin.headers, bob.id, { is_active: false })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: bob.id, is_active: false })
    expectError(t, await me(app, bob.headers), 401, 'user_inactive')
    t.equal(await sessionRows(app, bob.id), 0, 'sessions rows gone')
    expectError(t, await tryLogin(app, bob), 403, 'user_inactive')

    t.match((await patchUser(app, admin.headers, bob.id, { is_active: true })).json(), { is_active: true })
    const again = await tryLogin(app, bob)
    t.equal(again.statusCode, 200, 'can log in again')
    t.equal((await me(app, bearer(again.json().access_token))).statusCode, 200)
    expectError(t, await me(app, bob.headers), 401, 'token_revoked')
  })

  t.test('the last active admin cannot demote or deactivate themselves', async (t) => {
    expectError(t, await patchUser(app, admin.headers, admin.id, { roles: ['user'] }), 409, 'conflict')
    expectError(t, await patchUser(app, admin.headers, admin.id, { is_active: false }), 409, 'conflict')
    expectError(t, await patchUser(app, admin.headers, admin.id, { roles: ['user'], is_active: false }), 409, 'conflict')
    t.match(await stored(app, admin, admin.id), { roles: ['admin', 'user'], is_admin: true, is_active: true }, 'nothing changed')
    t.equal(await sessionRows(app, admin.id), 1, 'the admin keeps their session')
    t.equal((await patchUser(app, admin.headers, admin.id, { roles: ['admin', 'user', 'editor'] })).statusCode, 200, 'keeping admin is fine')
  })

  t.test('with two admins, one can be demoted', async (t) => {
    const carol = await account(app, 'carol')
    t.equal((await patchUser(app, admin.headers, carol.id, { roles: ['admin', 'user'] })).statusCode, 200)
    const res = await patchUser(app, admin.headers, admin.id, { roles: ['user'] })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { roles: ['user'], is_admin: false })
    expectError(t, await app.inject({ method: 'GET', url: '/users', headers: admin.headers }), 403, 'admin_required')
    expectError(t, await patchUser(app, carol.headers, carol.id, { is_active: false }), 409, 'conflict')
    t.equal((await patchUser(app, carol.headers, admin.id, { roles: ['admin', 'user'] })).statusCode, 200, 'promote back')
  })

  t.test('bad bodies and missing users', async (t) => {
    expectError(t, await patchUser(app, admin.headers, alice.id, {}), 400, 'validation_error')
    expectError(t, await patchUser(app, admin.headers, alice.id, { username: 'mallory' }), 400, 'validation_error')
    expectError(t, await patchUser(app, admin.headers, alice.id, { roles: ['Admin!'] }), 400, 'validation_error')
    expectError(t, await patchUser(app, admin.headers, alice.id, { is_active: 'false' }), 400, 'validation_error')
    t.match(await stored(app, admin, alice.id), { username: 'alice', roles: ['user'], is_active: true }, 'nothing changed')
    expectError(t, await patchUser(app, admin.headers, 9999, { is_active: false }), 404, 'not_found')
  })
})

t.test('DELETE /user/{id}', async (t) => {
  const app = await build(t)
  const admin = await account(app, 'admin')
  const alice = await account(app, 'alice')
  const bob = await account(app, 'bob')

  t.test('a non-admin cannot delete someone else', async (t) => {
    expectError(t, await deleteUser(app, alice.headers, bob.id), 403, 'forbidden')
    t.ok(await stored(app, admin, bob.id), 'bob is still there')
  })

  t.test('users delete themselves; their tokens stop working', async (t) => {
    const res = await deleteUser(app, alice.headers, alice.id)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    expectError(t, await me(app, alice.headers), 401, 'user_not_found')
    expectError(t, await app.inject({ method: 'POST', url: '/refresh', headers: bearer(alice.refresh) }), 401, 'user_not_found')
    t.equal(await sessionRows(app, alice.id), 0)
    expectError(t, await tryLogin(app, alice), 401, 'invalid_credentials')
  })

  t.test('an admin deletes another user', async (t) => {
    t.equal((await deleteUser(app, admin.headers, bob.id)).statusCode, 200)
    expectError(t, await getUser(app, admin.headers, bob.id), 404, 'not_found')
    expectError(t, await me(app, bob.headers), 401, 'user_not_found')
    expectError(t, await deleteUser(app, admin.headers, bob.id), 404, 'not_found')
  })

  t.test('the last active admin cannot delete themselves', async (t) => {
    expectError(t, await deleteUser(app, admin.headers, admin.id), 409, 'conflict')
    t.equal((await me(app, admin.headers)).statusCode, 200, 'still there and signed in')
  })
})
