// npm run bench [-- --smoke | --only=NAME | --profile[=NAME] | --compare=DIR | --from-source
//                  | --database=postgres[=URL] | --workers=N | --algorithm=EdDSA|ES256|RS256]
//
// Starts the service (production mode, file SQLite, AUTH_RATE_LIMIT=0, LOG_LEVEL=info as users
// run it, and warn for the rows that say so) and a bare Fastify baseline, each pinned to CPU 0,
// and drives them from CPU 1 (wrk for throughput, autocannon for paced and POST loads). With
// --compare=DIR, a checkout of an earlier version (its own node_modules) runs every scenario in
// the same run, beside this one. Prints one table and writes it to bench/results/latest*.md.
// See bench/README.md for the method.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { canPin, pinned, startServer } from './lib/proc.mjs'
import { autocannon, refreshLoop } from './lib/load.mjs'
import { hasWrk, wrk } from './lib/wrk.mjs'
import { summarizeProfile } from './lib/profile.mjs'
import { report } from './lib/report.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const argv = process.argv.slice(2)
const arg = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const SMOKE = argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
// --profile[=NAME]: a CPU profile of the service during one scenario (default: authenticated GET /item/{id}).
const profileArg = argv.find((a) => a === '--profile' || a.startsWith('--profile='))
const PROFILE = profileArg && (profileArg.slice('--profile='.length) || 'GET /item/{id} (authenticated)')
// Runs src/server.ts through tsx instead of the build.
const FROM_SOURCE = argv.includes('--from-source')
// --only=NAME runs the scenario of that name, or those whose name contains it (and the baseline).
const ONLY = arg('only')
// --compare=DIR: another checkout (with node_modules), measured beside this one in every scenario.
const COMPARE = arg('compare') && resolve(arg('compare'))

// The harness itself runs on CPU 1 with the load generators, never beside the servers.
if (canPin && !process.env.BENCH_PINNED) {
  const [command, args] = pinned(1, process.execPath, [fileURLToPath(import.meta.url), ...argv])
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}

// --database=postgres[=URL]: the service on PostgreSQL (a schema of its own, dropped at the end).
const databaseArg = arg('database')
if (databaseArg && !databaseArg.startsWith('postgres')) throw new Error('--database= takes postgres or postgres=URL')
const POSTGRES_URL = databaseArg && (databaseArg.split('=').slice(1).join('=') || 'postgres://postgres@127.0.0.1:5432/test')
// --workers=N: WEB_CONCURRENCY=N. The service then gets the first N cores instead of CPU 0 alone.
const WORKERS = Number(arg('workers') ?? 1)
if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error('--workers= takes a positive integer')
// --algorithm=EdDSA|ES256|RS256: JWT_ALGORITHM of the service (HS256, the default, otherwise).
const ALGORITHM = arg('algorithm') ?? 'HS256'
if (!['HS256', 'EdDSA', 'ES256', 'RS256'].includes(ALGORITHM)) throw new Error('--algorithm= takes HS256, EdDSA, ES256 or RS256')
const VARIANT = [POSTGRES_URL && 'postgres', WORKERS > 1 && `workers-${WORKERS}`, ALGORITHM !== 'HS256' && ALGORITHM.toLowerCase()]
  .filter(Boolean)
  .join('-')

const DURATION = SMOKE ? 2 : 8
const WARMUP = SMOKE ? 1 : 2
const CONNECTIONS = 32
const STARTUP_RUNS = SMOKE ? 1 : 5
const LOGIN_RATE = 20
const PACED_RATE = 500
const USER = { username: 'bench', password: 'bench-password-1' }

const work = mkdtempSync(join(tmpdir(), 'stores-api-bench-'))
const logFile = join(work, 'server.log')
// The service sees only these variables (and runs in a temporary folder, where no .env is).
const INHERITED = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]))

/** The node command of a checkout's `npm start` (its last `node ...`), with absolute paths. */
function startArgs(root) {
  if (FROM_SOURCE) return ['--import', import.meta.resolve('tsx'), join(root, 'src/server.ts')]
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start
  const command = start.split('&&').at(-1).trim().split(/\s+/)
  if (command[0] !== 'node') throw new Error(`cannot read the node command from the start script: ${start}`)
  return command.slice(1).map((a) => (a.startsWith('-') ? a : join(root, a)))
}

/** `npm run build` of a checkout; returns what it printed last (this one prints its build's folder). */
function build(root) {
  if (FROM_SOURCE) return ''
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`npm run build failed in ${root}`)
  return r.stdout.trim().split('\n').at(-1) ?? ''
}

const SERVICE_CPUS = Array.from({ length: Math.min(WORKERS, cpus().length) }, (_, i) => i).join(',')

/** A version of the service under test: its start command, its own database, its seeded data. */
function service(name, root, label) {
  const dir = join(work, name)
  mkdirSync(dir)
  const env = {
    ...INHERITED,
    NODE_ENV: 'production',
    JWT_SECRET_KEY: 'bench-secret-0123456789abcdef-0123456789abcdef',
    DATABASE_URL: `file:${join(dir, 'bench.db')}`,
    WEB_CONCURRENCY: String(WORKERS),
    AUTH_RATE_LIMIT: '0',
    JWT_ALGORITHM: ALGORITHM,
  }
  const args = startArgs(root)
  return {
    name,
    label,
    root,
    env,
    args,
    start: (logLevel = 'info', extra = []) =>
      startServer({ args: [...extra, ...args], env: { ...env, LOG_LEVEL: logLevel }, logFile, cwd: dir, cpus: SERVICE_CPUS }),
  }
}

/** --database=postgres: a schema of its own on POSTGRES_URL for each service; returns the drops. */
async function onPostgres(services) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  const schemas = []
  for (const s of services) {
    const schema = `bench_${process.pid}_${s.name}`
    await admin.query(`CREATE SCHEMA ${schema}`)
    schemas.push(schema)
    const url = new URL(POSTGRES_URL)
    url.searchParams.set('options', `-c search_path=${schema}`)
    s.env.DATABASE_URL = url.toString()
  }
  await admin.end()
  return async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    for (const schema of schemas) await client.query(`DROP SCHEMA ${schema} CASCADE`)
    await client.end()
  }
}

async function json(res) {
  const body = await res.json()
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`)
  return body
}

/** A user (the first: admin), a store and 20 items. Returns an access token and an item id. */
async function seed(url) {
  const post = (path, body, token) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then(json)
  await post('/register', USER)
  const { access_token } = await post('/login', USER)
  const store = await post('/store', { name: 'Bench store' }, access_token)
  const ids = []
  for (let i = 1; i <= 20; i++) ids.push((await post('/item', { name: `Item ${i}`, price: i + 0.99, store_id: store.id }, access_token)).id)
  return { auth: { authorization: `Bearer ${access_token}` }, itemId: ids[9] }
}

/** Warm-up, then the measured run, against a fresh server; its CPU time per request and peak RSS with it. */
async function measure(start, load) {
  const server = await start()
  try {
    await load(server, WARMUP, 'warm-up')
    const cpuBefore = server.cpuMs()
    const result = await load(server, DURATION, 'measure')
    const cpu = server.cpuMs() - cpuBefore
    return { ...result, rssMb: server.peakRssMb(), cpuUs: (cpu * 1000) / (result.requests + (result.extraRequests ?? 0)) }
  } finally {
    await server.stop()
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The scenarios of one service: [name, log level, load(server, duration, phase)]. */
function scenarios(seeded) {
  const { auth, itemId } = seeded
  const get = (path, headers = {}) => (server, duration) => wrk({ url: `${server.url}${path}`, connections: CONNECTIONS, duration, headers })
  const paced = (server, duration) =>
    autocannon({ url: `${server.url}/item/${itemId}`, connections: 8, duration, headers: auth, rate: PACED_RATE })
  const logins = (server, duration) =>
    autocannon({ url: `${server.url}/login`, connections: 8, duration, method: 'POST', body: USER, rate: LOGIN_RATE })
  return [
    ['GET /health', 'info', get('/health')],
    ['GET /item (anonymous)', 'info', get('/item')],
    ['GET /item (anonymous)', 'warn', get('/item')],
    ['GET /item (authenticated, 20 items)', 'info', get('/item', auth)],
    ['GET /item (authenticated, 20 items)', 'warn', get('/item', auth)],
    ['GET /item/{id} (authenticated)', 'info', get(`/item/${itemId}`, auth)],
    ['GET /item/{id} (authenticated)', 'warn', get(`/item/${itemId}`, auth)],
    [
      'POST /login (argon2id)',
      'info',
      (server, duration) => autocannon({ url: `${server.url}/login`, connections: CONNECTIONS, duration, method: 'POST', body: USER }),
    ],
    [
      `POST /refresh (rotation loop, ${CONNECTIONS} sessions)`,
      'info',
      // One call: the loop warms up itself, after each worker's login and before its clock starts.
      (server, duration, phase) =>
        phase === 'warm-up' ? Promise.resolve() : refreshLoop({ url: server.url, workers: CONNECTIONS, warmup: WARMUP, duration, ...USER }),
    ],
    [`GET /item/{id} paced ${PACED_RATE}/s`, 'info', paced],
    [
      `GET /item/{id} paced ${PACED_RATE}/s + ${LOGIN_RATE} logins/s`,
      'info',
      async (server, duration) => {
        const [reads, beside] = await Promise.all([paced(server, duration), logins(server, duration)])
        // The server's CPU time covers both: µs/req is per request of either kind.
        return { ...reads, extraRequests: beside.requests, beside }
      },
    ],
  ]
}

const selected = (name, all) => !ONLY || name === ONLY || (!all.some(([n]) => n === ONLY) && name.includes(ONLY))

async function main() {
  const current = service('current', ROOT, 'this build')
  const services = [current, ...(COMPARE ? [service('compare', COMPARE, `before (${COMPARE})`)] : [])]
  const buildDir = build(ROOT)
  if (COMPARE) build(COMPARE)
  if (POSTGRES_URL) cleanups.push(await onPostgres(services))
  for (const s of services) {
    const seeder = await s.start()
    s.seeded = await seed(seeder.url)
    await seeder.stop()
  }
  if (PROFILE) return profile(current)

  const baselineArgs = [join(ROOT, 'bench/baseline/server.mjs')]
  const startBaseline = () => startServer({ args: baselineArgs, env: INHERITED, logFile, cwd: work, healthPath: '/hello' })
  const helloLoad = (server, duration) => wrk({ url: `${server.url}/hello`, connections: CONNECTIONS, duration })
  console.log(`bench: ${SMOKE ? 'smoke' : 'full'} run, ${DURATION} s per scenario after ${WARMUP} s warm-up, ${CONNECTIONS} connections`)
  const rows = [{ scenario: 'baseline: bare Fastify GET /hello', service: '', ...(await measure(startBaseline, helloLoad)) }]
  const names = scenarios(current.seeded).map(([n]) => n)
  for (let i = 0; i < names.length; i++) {
    // Versions side by side, scenario by scenario: both meet the same moment of the machine.
    for (const s of services) {
      const [name, level, load] = scenarios(s.seeded)[i]
      if (!selected(name, scenarios(s.seeded))) continue
      const row = { scenario: name, level, service: s.label, ...(await measure(() => s.start(level), load)) }
      rows.push(row)
      console.log(`  ${name} (${level}, ${s.label}): ${Math.round(row.rps)} req/s, ${Math.round(row.cpuUs)} µs/req`)
      if (row.beside) rows.push({ scenario: `  the ${LOGIN_RATE} logins/s beside it`, level, service: s.label, ...row.beside })
    }
  }

  // Start-up: process start to the first 200, as npm start runs it, and (this build) as plain node.
  const startups = []
  if (!ONLY) {
    const plainArgs = buildDir ? [join(ROOT, buildDir, 'server.js')] : undefined
    const kinds = [
      ...services.map((s) => [`npm start's command, ${s.label}`, () => s.start()]),
      ...(plainArgs ? [[`node ${buildDir}/server.js, this build`, () => startServer({ args: plainArgs, env: { ...current.env, LOG_LEVEL: 'info' }, logFile, cwd: join(work, 'current'), cpus: SERVICE_CPUS })]] : []),
      ['bare Fastify (for scale)', startBaseline],
    ]
    for (const [what, start] of kinds) {
      const times = []
      for (let i = 0; i < STARTUP_RUNS; i++) {
        const server = await start()
        times.push(server.startupMs)
        await server.stop()
      }
      startups.push({ what, ms: median(times), runs: times.length })
    }
  }

  const text = report({
    rows,
    startups,
    header:
      `Run ${new Date().toISOString()}, ${SMOKE ? 'smoke (2 s runs)' : `${DURATION} s per scenario after ${WARMUP} s warm-up`}, ` +
      `${CONNECTIONS} connections (${hasWrk ? 'wrk -t1' : 'autocannon: wrk is not installed'}; paced and POST loads: autocannon); ` +
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; ` +
      (canPin ? `servers on CPU${WORKERS > 1 ? `s ${SERVICE_CPUS}` : ' 0'}, load generators on CPU 1.` : '**not pinned** (taskset or a second CPU missing).') +
      `\nService: ${POSTGRES_URL ? `PostgreSQL (${new URL(POSTGRES_URL).host}; the database server's CPU and memory are not counted)` : 'SQLite file'}, ` +
      `${WORKERS > 1 ? `WEB_CONCURRENCY=${WORKERS}` : 'one process'}, JWT_ALGORITHM=${ALGORITHM}.`,
    pacedRow: `GET /item/{id} paced ${PACED_RATE}/s`,
  })
  console.log(`\n${text}`)
  const warnings = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => /"level":(4|5|6)0/.test(l)) : []
  if (warnings.length) console.log(`The servers logged ${warnings.length} line(s) at warn or above; first: ${warnings[0]}`)

  // Only a full run of every scenario replaces the recorded table.
  if (!SMOKE && !ONLY) {
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    const file = `latest${VARIANT ? `-${VARIANT}` : ''}.md`
    writeFileSync(join(ROOT, 'bench/results', file), `# Latest bench run${VARIANT ? ` (${VARIANT})` : ''}\n\n${text}`)
  }
  if (rows.some((r) => r.non2xx + r.errors > 0)) {
    console.error('bench: some requests failed (non-2xx or socket errors); see the table above')
    process.exitCode = 1
  }
}

/** A CPU profile of this build during one scenario: the top functions by self and inclusive time. */
async function profile(current) {
  const scenario = scenarios(current.seeded).find(([n, level]) => n === PROFILE && level === (arg('level') ?? 'info'))
  if (!scenario) throw new Error(`no scenario named "${PROFILE}"`)
  const [name, level, load] = scenario
  const dir = join(work, 'profile')
  mkdirSync(dir)
  const server = await current.start(level, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  await load(server, WARMUP, 'warm-up')
  const r = await load(server, DURATION, 'measure')
  await server.stop()
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error('no .cpuprofile written')
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  const kept = join(ROOT, 'bench/results/latest.cpuprofile')
  writeFileSync(kept, readFileSync(join(dir, file)))
  console.log(`${name} (LOG_LEVEL=${level}) under --cpu-prof: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms; profile kept in ${kept}\n`)
  console.log(summarizeProfile(JSON.parse(readFileSync(kept, 'utf8')), ROOT))
}

const cleanups = []
try {
  await main()
} finally {
  for (const cleanup of cleanups) await cleanup()
  rmSync(work, { recursive: true, force: true })
}
