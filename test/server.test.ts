// The real entry point as a user runs it: a child process on a temporary folder.
import t from 'tap'
import { statSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helper.js'
import { start, waitForHealth } from './processes.js'

t.test('starts with no configuration, keeps data in ./data, stops on SIGTERM', async (t) => {
  const cwd = tempDir(t)
  const port = 3900 + Math.floor(Math.random() * 500)
  const server = start(cwd, { PORT: String(port) })
  t.teardown(() => void server.child.kill('SIGKILL'))
  const health = await waitForHealth(port)
  t.same(await health.json(), { status: 'ok', database: 'ok' })
  t.ok(existsSync(join(cwd, 'data/stores.db')), 'database in ./data')
  const secret = join(cwd, 'data/jwt-secret')
  t.equal(statSync(secret).mode & 0o777, 0o600, 'generated key is private')
  t.ok(readFileSync(secret, 'utf8').trim().length >= 32)
  t.match(server.output(), /JWT_SECRET_KEY is not set/, 'warns about the generated key')
  t.notMatch(server.output(), readFileSync(secret, 'utf8').trim(), 'the key itself is never logged')
  t.notMatch(server.output(), /\(node:\d+\).*Warning/, 'no process warnings (deprecations, insecure options)')

  const reg = await fetch(`http://127.0.0.1:${port}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'password-123' }),
  })
  t.equal(reg.status, 201)

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'graceful exit')
})

t.test('a bad variable stops the start with a message naming it', async (t) => {
  const cwd = tempDir(t)
  for (const [env, variable] of [
    [{ PORT: 'abc' }, 'PORT'],
    [{ NODE_ENV: 'production', JWT_SECRET_KEY: '0123456789' }, 'JWT_SECRET_KEY'],
  ] as const) {
    const server = start(cwd, env)
    t.equal(await server.exited, 1, `${variable}: exit 1`)
    t.match(server.output(), new RegExp(`Invalid configuration: ${variable}`), `${variable} named`)
    t.equal(server.output().trim().split('\n').length, 1, 'one line')
  }
})
