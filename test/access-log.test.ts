// The real server's log: one access line per request, written asynchronously and flushed at a
// clean stop (none lost), nothing per request above info, no secret in any line.
import t, { type Test } from 'tap'
import { tempDir } from './helper.js'
import { startHealthy } from './processes.js'

const REQUESTS = 300

async function run(t: Test, env: Record<string, string>) {
  const cwd = tempDir(t)
  const server = await startHealthy(t, cwd, { AUTH_RATE_LIMIT: '0', ...env })
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  await post('/register', { username: 'alice', password: 'password-123' })
  const { access_token: access, refresh_token: refresh } = (await (await post('/login', { username: 'alice', password: 'password-123' })).json()) as Record<string, string>
  const ids: string[] = []
  for (let i = 0; i < REQUESTS; i += 30) {
    const batch = await Promise.all(Array.from({ length: 30 }, () => fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${access}` } })))
    ids.push(...batch.map((r) => r.headers.get('x-request-id')!))
  }
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'a clean stop')
  const lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
  return { lines, ids, output: server.output(), secrets: [access!, refresh!, 'password-123'] }
}

t.test('at info: one access line per request, none lost at a clean stop, no secret', async (t) => {
  const { lines, ids, output, secrets } = await run(t, {})
  const access = lines.filter((l) => l.msg === 'request completed')
  const logged = new Set(access.map((l) => l.reqId))
  t.equal(ids.filter((id) => logged.has(id)).length, REQUESTS, `every one of the ${REQUESTS} requests has its line after SIGTERM`)
  t.equal(access.filter((l) => ids.includes(String(l.reqId))).length, REQUESTS, 'exactly one line each')
  t.match(access.find((l) => l.reqId === ids[0]), { level: 30, method: 'GET', route: '/me', statusCode: 200, responseTime: Number })
  t.notOk(lines.some((l) => l.msg === 'incoming request'), 'no second line per request')
  for (const secret of secrets) t.notOk(output.includes(secret), 'no token or password in the output')
})

t.test('at warn: nothing per request', async (t) => {
  const { lines } = await run(t, { LOG_LEVEL: 'warn' })
  t.same(lines.filter((l) => l.reqId !== undefined), [], 'no line about a request at all')
})
