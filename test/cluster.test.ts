// WEB_CONCURRENCY=2: one primary and two workers sharing the port, on the pass's database
// (SQLite by default: the file and the generated JWT key in ./data are shared too).
import t from 'tap'
import { tempDir } from './helper.js'
import { sharedDatabase, sharedKind, skipUnlessReachable, startHealthy } from './processes.js'

const kind = sharedKind('sqlite')

/** The pids of the JSON log lines whose message matches. */
function pidsLogging(output: string, message: RegExp) {
  const pids = new Set<number>()
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue
    const entry = JSON.parse(line) as { pid?: number; msg?: string; role?: string }
    if (entry.pid !== undefined && entry.role !== 'primary' && message.test(entry.msg ?? '')) pids.add(entry.pid)
  }
  return pids
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test(`WEB_CONCURRENCY=2 runs two workers on one port (${kind})`, { skip: await skipUnlessReachable(kind) }, async (t) => {
  const cwd = tempDir(t)
  const env: Record<string, string> = { WEB_CONCURRENCY: '2', AUTH_RATE_LIMIT: '0' }
  if (kind === 'postgres') env.DATABASE_URL = await sharedDatabase(t, cwd, kind)
  const server = await startHealthy(t, cwd, env)
  await until('two listening workers', () => pidsLogging(server.output(), /^Server listening/).size === 2)
  const workers = [...pidsLogging(server.output(), /^Server listening/)]
  t.notOk(workers.includes(server.child.pid ?? -1), 'the primary does not serve')

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  t.equal((await post('/register', { username: 'alice', password: 'password-123' })).status, 201)
  const { access_token: access } = (await (await post('/login', { username: 'alice', password: 'password-123' })).json()) as { access_token: string }

  const statuses = await Promise.all(
    Array.from({ length: 20 }, () => fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${access}` } }).then((r) => r.status)),
  )
  t.same(statuses, Array(20).fill(200), 'a token from one worker is accepted by every worker')
  // Workers log asynchronously and through a pipe: wait for the lines instead of reading at once.
  await until('both workers to log a request', () => pidsLogging(server.output(), /^request completed/).size === 2).catch(() => {})
  t.same(pidsLogging(server.output(), /^request completed/), new Set(workers), 'both workers served requests')

  t.test('a worker that dies is replaced', async (t) => {
    process.kill(workers[0]!, 'SIGKILL')
    await until('a replacement worker', () => pidsLogging(server.output(), /^Server listening/).size === 3)
    const res = await fetch(`${server.url}/health`)
    t.equal(res.status, 200)
  })

  t.test('SIGTERM stops every worker gracefully', async (t) => {
    const all = [...pidsLogging(server.output(), /^Server listening/)]
    server.child.kill('SIGTERM')
    t.equal(await server.exited, 0, 'the primary exits 0')
    t.same(all.filter(alive), [], 'no worker is left running')
    t.equal(pidsLogging(server.output(), /^shutting down/).size, 2, 'both live workers shut down')
  })
})
