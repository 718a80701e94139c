// Operator tooling: `npm run user:create` and `npm run keys:rotate` run as child processes on a
// temporary database.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TEST_SECRET, account, bearer, build, login, tempDir } from './helper.js'
import { jwksOf, kidOf, meWith, sharedUrl } from './keys/helpers.js'

const PASSWORD = 'operator passphrase'

/** Runs the script `name` of scripts/ (what its npm script runs) with `env`; stdin is not a terminal. */
function script(name: string, args: string[], env: Record<string, string>) {
  const file = fileURLToPath(new URL(`../scripts/${name}`, import.meta.url))
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), file, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
}

const userCreate = (args: string[], env: Record<string, string>) => script('user-create.ts', args, env)

/** An app and the script sharing one temporary database, with one user (the first, so an admin) in it. */
async function setup(t: Test) {
  const DATABASE_URL = join(tempDir(t), 'stores.db')
  const app = await build(t, { DATABASE_URL })
  const first = await app.inject({ method: 'POST', url: '/register', payload: { username: 'first', password: PASSWORD } })
  t.equal(first.statusCode, 201, 'a first user registered through the API')
  const count = async () => (await app.repos.users.list(100, 0)).total
  return { app, env: { DATABASE_URL }, count }
}

t.test('--admin creates an admin who can log in; the output has no secrets', async (t) => {
  const { app, env } = await setup(t)
  const res = await userCreate(['--username', 'ops', '--email', 'ops@example.com', '--admin'], { ...env, PASSWORD })
  t.equal(res.code, 0, res.stderr)
  const printed = JSON.parse(res.stdout) as Record<string, unknown>
  t.match(printed, { id: Number, username: 'ops', email: 'ops@example.com', roles: ['admin', 'user'], is_admin: true, is_active: true })
  t.same(Object.keys(printed).sort(), ['created_at', 'email', 'email_verified', 'id', 'is_active', 'is_admin', 'roles', 'username'], 'User fields only')
  t.notMatch(res.stdout + res.stderr, PASSWORD, 'the password is never printed')
  t.notMatch(res.stdout, /argon2/, 'nor its hash')

  const tokens = await login(app, 'ops', PASSWORD)
  const me = await app.inject({ url: '/me', headers: bearer(tokens.access_token) })
  t.match(me.json(), { username: 'ops', roles: ['admin', 'user'], is_admin: true }, 'GET /me: an admin')
  const users = await app.inject({ url: '/users', headers: bearer(tokens.access_token) })
  t.equal(users.statusCode, 200, 'admin routes open to them')
})

t.test('without --admin, a later user is a plain user', async (t) => {
  const { app, env } = await setup(t)
  const res = await userCreate(['--username', 'clerk'], { ...env, PASSWORD })
  t.equal(res.code, 0, res.stderr)
  t.match(JSON.parse(res.stdout), { username: 'clerk', email: null, roles: ['user'], is_admin: false })
  const row = await app.repos.users.findByLogin('clerk')
  t.same(row?.roles, ['user'], 'stored with role user')
  t.ok(await login(app, 'clerk', PASSWORD), 'and can log in')
})

t.test('a taken username (any case) is refused and changes nothing', async (t) => {
  const { env, count } = await setup(t)
  const before = await count()
  const res = await userCreate(['--username', 'FIRST', '--admin'], { ...env, PASSWORD })
  t.equal(res.code, 1)
  t.match(res.stderr, /username is already taken/)
  t.equal(res.stdout, '', 'nothing printed as created')
  t.equal(await count(), before, 'no user added')
})

t.test('a password on the command line is refused', async (t) => {
  const { env, count } = await setup(t)
  const before = await count()
  for (const args of [
    ['--username', 'leaky', '--password', 'argv-secret-123'],
    ['--username', 'leaky', '--password=argv-secret-123'],
  ]) {
    const res = await userCreate(args, { ...env, PASSWORD })
    t.equal(res.code, 2, `${args[2]?.split('=')[0] ?? ''} (${args.length} args): usage error`)
    t.match(res.stderr, /Refusing a password on the command line/)
  }
  t.equal(await count(), before, 'no user added')
})

t.test('no PASSWORD and no terminal to prompt on: an error, not an empty password', async (t) => {
  const { env, count } = await setup(t)
  const before = await count()
  const res = await userCreate(['--username', 'nopass'], env)
  t.equal(res.code, 2)
  t.match(res.stderr, /No PASSWORD set and no terminal/)
  t.equal(await count(), before, 'no user added')
})

t.test('input is checked like POST /register', async (t) => {
  const { env, count } = await setup(t)
  const before = await count()
  const res = await userCreate(['--username', 'x', '--email', 'not-an-email'], { ...env, PASSWORD: 'short' })
  t.equal(res.code, 2)
  t.match(res.stderr, /username must NOT have fewer than 3 characters/)
  t.match(res.stderr, /password must NOT have fewer than 8 characters/)
  t.match(res.stderr, /email must match format "email"/)
  const missing = await userCreate([], { ...env, PASSWORD })
  t.equal(missing.code, 2, 'no --username: usage error')
  t.match(missing.stderr, /--username is required/)
  t.equal(await count(), before, 'no user added')
})

t.test('keys:rotate rotates the signing key offline; a running app adopts it, old tokens stay valid', async (t) => {
  const DATABASE_URL = await sharedUrl(t)
  const env = { DATABASE_URL, JWT_ALGORITHM: 'ES256', JWT_SECRET_KEY: TEST_SECRET }
  const app = await build(t, env)
  const alice = await account(app, 'alice')
  const res = await script('keys-rotate.ts', [], env)
  t.equal(res.code, 0, res.stderr)
  const printed = JSON.parse(res.stdout) as { kid: string; previous_kid: string; alg: string }
  t.same(printed, { kid: printed.kid, previous_kid: kidOf(alice.access), alg: 'ES256' })
  t.match(res.stderr, /"event":"key_rotated"/, 'the security event is logged')
  t.notMatch(res.stdout + res.stderr, /PRIVATE KEY|v1\./, 'no key material printed')
  await app.keys.tick()
  t.equal(kidOf((await login(app, 'alice', 'password-123')).access_token), printed.kid, 'the app signs with the new key')
  t.same((await jwksOf(app)).keys.map((k) => k.kid), [printed.kid, kidOf(alice.access)])
  t.same(await meWith(app, alice.access), { status: 200, code: undefined }, 'the old token still works')

  const hs = await script('keys-rotate.ts', [], { DATABASE_URL, JWT_SECRET_KEY: TEST_SECRET })
  t.equal(hs.code, 2, 'HS256: nothing to rotate')
  t.match(hs.stderr, /JWT_PREVIOUS_SECRET_KEYS/)
})
