// Several `npm start` at once in one fresh checkout, as a process manager starts instances:
// one build, one generated key, one migrated database, and every instance serving.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helper.js'
import { freePort, waitForHealth } from './processes.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const INSTANCES = 4

/** A checkout of the working tree (tracked and new files, nothing ignored: no dist/, no data/) sharing node_modules. */
function freshCheckout(dir: string) {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`)
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    try {
      copyFileSync(join(ROOT, file), join(dir, file))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err // listed but deleted in the working tree
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
}

function serverPid(output: string): number {
  const line = output.split('\n').find((l) => l.includes('Server listening'))
  if (!line) throw new Error(`no listening line in:\n${output}`)
  return (JSON.parse(line) as { pid: number }).pid
}

t.test(`${INSTANCES} npm start at once in one fresh checkout all serve, with one key and one database`, async (t) => {
  const cwd = tempDir(t)
  freshCheckout(cwd)
  const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()))
  const servers = ports.map((port) => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), AUTH_RATE_LIMIT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    t.teardown(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // gone
      }
    })
    return { port, child, exited, output: () => output, url: `http://127.0.0.1:${port}` }
  })

  const healthy = await Promise.allSettled(servers.map((s) => waitForHealth(s.port, 90_000, s)))
  healthy.forEach((result, i) => t.equal(result.status, 'fulfilled', `instance ${i + 1} is healthy${result.status === 'rejected' ? `: ${String(result.reason)}` : ''}`))
  for (const [i, s] of servers.entries()) t.notMatch(s.output(), /Error|ENOTEMPTY|Cannot find module/, `instance ${i + 1} reported no error`)

  const builds = readdirSync(join(cwd, 'dist'))
  t.equal(builds.length, 1, `one build in dist/ and no half-made one (${builds.join(', ')})`)

  const post = (url: string, path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  t.equal((await post(servers[0]!.url, '/register', { username: 'alice', password: 'password-123' })).status, 201)
  const login = await post(servers[1]!.url, '/login', { username: 'alice', password: 'password-123' })
  t.equal(login.status, 200, 'an account made on one instance logs in on another')
  const { access_token: access } = (await login.json()) as { access_token: string }
  for (const [i, s] of servers.entries()) {
    const me = await fetch(`${s.url}/me`, { headers: { authorization: `Bearer ${access}` } })
    t.equal(me.status, 200, `instance ${i + 1} accepts the token: one generated key for all`)
  }

  // SIGTERM to each server process (named by its log lines), as a process manager stops it; npm then exits with its code.
  for (const s of servers) process.kill(serverPid(s.output()), 'SIGTERM')
  const codes = await Promise.all(servers.map((s) => s.exited))
  t.same(codes, Array(INSTANCES).fill(0), 'every instance stops cleanly')
})
