// Counters in Redis are shared by every instance (REDIS_URL); Redis runs on this machine and in CI.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { build, expectError } from './helper.js'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

t.test('two instances share the per-address and per-username windows through Redis', async (t) => {
  const env = { REDIS_URL, AUTH_RATE_LIMIT: '3' }
  const a = await build(t, env)
  const b = await build(t, { ...env, DATABASE_URL: a.config.databaseUrl })
  // A fresh address and username per run: windows from earlier runs cannot interfere.
  const run = randomBytes(4).toString('hex')
  const address = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.7`
  const attempt = (app: typeof a, remoteAddress: string, username: string) =>
    app.inject({ method: 'POST', url: '/login', remoteAddress, payload: { username, password: 'wrong-password' } })

  const statuses = []
  for (const app of [a, b, a]) statuses.push((await attempt(app, address, `u${run}x`)).statusCode)
  t.same(statuses, [401, 401, 401], 'three attempts over two instances are allowed')
  const limited = await attempt(b, address, `u${run}y`)
  expectError(t, limited, 429, 'too_many_requests')
  const retry = Number(limited.headers['retry-after'])
  t.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`)

  const name = `v${run}`
  for (const [i, app] of [a, b, a].entries()) {
    t.equal((await attempt(app, `172.16.${i}.${randomBytes(1)[0]}`, name)).statusCode, 401)
  }
  expectError(t, await attempt(b, '192.168.77.1', name), 429, 'too_many_requests')
})
