// The real entry point as a user runs it: what `npm start` runs (the build in dist/), in a
// child process.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { postgresReachable, postgresSchema, TEST_POSTGRES_URL } from './helper.js'

type Tap = { teardown(fn: () => unknown): void }

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Node's arguments for the server, as `npm start` gives them: the last `node ...` command of its script. */
function startArgs(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  const command = script.split('&&').at(-1)!.trim().split(/\s+/)
  if (command[0] !== 'node') throw new Error(`cannot read the node command of the start script: ${script}`)
  return command.slice(1).map((arg) => (arg.startsWith('-') ? arg : join(ROOT, arg)))
}

/**
 * The build of the current sources, made first when the sources changed, as `npm start` does
 * (npm test builds once before the passes, so the test files running in parallel find it current).
 */
function buildDir(): string {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`the build failed:\n${build.stderr}`)
  return join(ROOT, build.stdout.trim())
}
const BUILD = buildDir()
export const SERVER_ARGS = startArgs()
/** The web app of that build, for `build(t, env, { webRoot: WEB_ROOT })`: /app through app.inject. */
export const WEB_ROOT = join(BUILD, 'app')

export type ServerProcess = ReturnType<typeof start>

/** Starts the service in `cwd` with only `env` (and PATH) set; output is kept. */
export function start(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

/** Waits until GET /health is 200; fails early when the process exits. */
export async function waitForHealth(port: number, deadlineMs = 15_000, server?: ServerProcess) {
  const until = Date.now() + deadlineMs
  let exited = false
  void server?.exited.then(() => (exited = true))
  while (Date.now() < until && !exited) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      if (res.status === 200) return res
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server did not become healthy${server ? `:\n${server.output()}` : ''}`)
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Starts the service on a free port, healthy, and killed at teardown. */
export async function startHealthy(t: Tap, cwd: string, env: Record<string, string>) {
  const port = await freePort()
  const server = start(cwd, { ...env, PORT: String(port) })
  t.teardown(() => void server.child.kill('SIGKILL'))
  await waitForHealth(port, 30_000, server)
  return { ...server, port, url: `http://127.0.0.1:${port}` }
}

export type DatabaseKind = 'sqlite' | 'postgres'

/** The database a multi-process test shares: the one TEST_DATABASE names, else `fallback`. */
export function sharedKind(fallback: DatabaseKind): DatabaseKind {
  const wanted = process.env.TEST_DATABASE
  return wanted === 'sqlite' || wanted === 'postgres' ? wanted : fallback
}

/** tap's `skip` option: why, when PostgreSQL is needed but not reachable; otherwise false. */
export async function skipUnlessReachable(kind: DatabaseKind): Promise<string | false> {
  if (kind === 'sqlite' || (await postgresReachable())) return false
  return `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (set TEST_POSTGRES_URL, or TEST_DATABASE=sqlite)`
}

/** A DATABASE_URL several processes can share: a PostgreSQL schema of its own, or a SQLite file in `cwd`. */
export async function sharedDatabase(t: Tap, cwd: string, kind: DatabaseKind): Promise<string> {
  return kind === 'postgres' ? postgresSchema(t) : join(cwd, 'shared.db')
}
