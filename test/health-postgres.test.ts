// /health while PostgreSQL is down, and after it is back. The app reaches PostgreSQL
// through a TCP proxy this test owns: closing the proxy makes the database unreachable
// (nothing listens on its port) without touching the machine's server.
import t from 'tap'
import { connect, createServer, type Socket } from 'node:net'
import { TEST_POSTGRES_URL, build, expectError, postgresSchema } from './helper.js'
import { skipUnlessReachable } from './processes.js'

/** A proxy on a fixed local port to `target`; `down()` closes it and its connections, `up()` listens again. */
async function tcpProxy(target: URL) {
  const sockets = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    track(client)
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  await listen(0)
  const { port } = server.address() as { port: number }
  return {
    port,
    async down() {
      const closed = new Promise((resolve) => server.close(resolve))
      for (const s of sockets) s.destroy()
      await closed
    },
    up: () => listen(port),
  }
}

const health = (app: Awaited<ReturnType<typeof build>>) => app.inject({ method: 'GET', url: '/health' })

t.test('/health is 503 while PostgreSQL is unreachable and recovers by itself', { skip: await skipUnlessReachable('postgres') }, async (t) => {
  const proxy = await tcpProxy(new URL(TEST_POSTGRES_URL))
  t.teardown(() => proxy.down())
  const url = new URL(await postgresSchema(t))
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  const app = await build(t, { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '2' })

  const ok = await health(app)
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { status: 'ok', database: 'ok' })

  await proxy.down()
  for (let i = 1; i <= 3; i++) {
    const res = await health(app)
    expectError(t, res, 503, 'service_unavailable')
    t.notMatch(res.body, /ECONNREFUSED|127\.0\.0\.1|connect|\bat\s/i, `attempt ${i}: no driver detail`)
  }
  const list = await app.inject({ method: 'GET', url: '/store' })
  expectError(t, list, 500, 'internal_error')

  await proxy.up()
  const back = await health(app)
  t.equal(back.statusCode, 200, 'healthy again with no restart')
  t.equal((await app.inject({ method: 'GET', url: '/store' })).statusCode, 200, 'and serving data')
})
