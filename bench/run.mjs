// npm run bench [-- --smoke | --only=NAME | --profile[=NAME] | --from-source
//                  | --database=postgres[=URL] | --workers=N | --algorithm=EdDSA|ES256|RS256]
//
// Starts the service (production mode, file SQLite, AUTH_RATE_LIMIT=0) and a bare Fastify
// baseline, each pinned to CPU 0, and drives them from CPU 1. Prints one table and writes
// it to bench/results/latest.md (latest-postgres.md, latest-workers-N.md for the variants).
// See bench/README.md for the method.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { canPin, pinned, startServer } from './lib/proc.mjs'
import { autocannon, refreshLoop } from './lib/load.mjs'
import { summarizeProfile } from './lib/profile.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const argv = process.argv.slice(2)
const SMOKE = argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
// --profile[=NAME]: a CPU profile of the service during one scenario (default: authenticated GET /item/{id}).
const profileArg = argv.find((a) => a === '--profile' || a.startsWith('--profile='))
const PROFILE = profileArg && (profileArg.slice('--profile='.length) || 'GET /item/{id} (authenticated)')
// Runs src/server.ts through tsx instead of the build (how `npm start` worked before the build step).
const FROM_SOURCE = argv.includes('--from-source')
// --only=NAME runs the scenario of that name, or those whose name contains it (and the baseline).
const ONLY = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)

// The harness itself runs on CPU 1 with the load generators, never beside the servers.
if (canPin && !process.env.BENCH_PINNED) {
  const [command, args] = pinned(1, process.execPath, [fileURLToPath(import.meta.url), ...argv])
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}

// --database=postgres[=URL]: the service on PostgreSQL (a schema of its own, dropped at the end)
// instead of a SQLite file. URL defaults to the test database of this machine and CI.
const databaseArg = argv.find((a) => a.startsWith('--database='))?.slice('--database='.length)
if (databaseArg && !databaseArg.startsWith('postgres')) throw new Error('--database= takes postgres or postgres=URL')
const POSTGRES_URL = databaseArg && (databaseArg.split('=').slice(1).join('=') || 'postgres://postgres@127.0.0.1:5432/test')
// --workers=N: WEB_CONCURRENCY=N. The service then gets the first N cores instead of CPU 0 alone.
const WORKERS = Number(argv.find((a) => a.startsWith('--workers='))?.slice('--workers='.length) ?? 1)
if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error('--workers= takes a positive integer')
// --algorithm=EdDSA|ES256|RS256: JWT_ALGORITHM of the service (HS256, the default, otherwise).
const ALGORITHM = argv.find((a) => a.startsWith('--algorithm='))?.slice('--algorithm='.length) ?? 'HS256'
if (!['HS256', 'EdDSA', 'ES256', 'RS256'].includes(ALGORITHM)) throw new Error('--algorithm= takes HS256, EdDSA, ES256 or RS256')
const VARIANT = [POSTGRES_URL && 'postgres', WORKERS > 1 && `workers-${WORKERS}`, ALGORITHM !== 'HS256' && ALGORITHM.toLowerCase()]
  .filter(Boolean)
  .join('-')

const DURATION = SMOKE ? 2 : 10
const WARMUP = SMOKE ? 1 : 3
const CONNECTIONS = 32
const STARTUP_RUNS = SMOKE ? 1 : 5
const LOGIN_RATE = 20
const USER = { username: 'bench', password: 'bench-password-1' }

const work = mkdtempSync(join(tmpdir(), 'stores-api-bench-'))
const logFile = join(work, 'server.log')
// The service sees only these variables (and runs in the temporary folder, where no .env
// is): settings from the caller's shell or a .env file must not change what is measured.
const INHERITED = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]))
const SERVICE_ENV = {
  ...INHERITED,
  NODE_ENV: 'production',
  JWT_SECRET_KEY: 'bench-secret-0123456789abcdef-0123456789abcdef',
  DATABASE_URL: `file:${join(work, 'bench.db')}`,
  WEB_CONCURRENCY: String(WORKERS),
  AUTH_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  JWT_ALGORITHM: ALGORITHM,
}

/**
 * How the service is started: as `npm start` runs it (its last `node ...` command, with the
 * same Node flags), minus npm itself, so the process measured is the server's own.
 */
function serviceArgs(extra = []) {
  if (FROM_SOURCE) return [...extra, '--import', import.meta.resolve('tsx'), join(ROOT, 'src/server.ts')]
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start
  const command = start.split('&&').at(-1).trim().split(/\s+/)
  if (command[0] !== 'node') throw new Error(`cannot read the node command from the start script: ${start}`)
  return [...extra, ...command.slice(1).map((arg) => (arg.startsWith('-') ? arg : join(ROOT, arg)))]
}

function build() {
  if (FROM_SOURCE) return
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm run build failed')
}

const SERVICE_CPUS = Array.from({ length: Math.min(WORKERS, cpus().length) }, (_, i) => i).join(',')
const startService = (extra) => startServer({ args: serviceArgs(extra), env: SERVICE_ENV, logFile, cwd: work, cpus: SERVICE_CPUS })

/** --database=postgres: a schema of its own on POSTGRES_URL for this run; returns the drop. */
async function postgresSchema() {
  const schema = `bench_${process.pid}`
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  await client.query(`CREATE SCHEMA ${schema}`)
  await client.end()
  const url = new URL(POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  SERVICE_ENV.DATABASE_URL = url.toString()
  return async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    await client.query(`DROP SCHEMA ${schema} CASCADE`)
    await client.end()
  }
}
const startBaseline = () =>
  startServer({ args: [join(ROOT, 'bench/baseline/server.mjs')], env: INHERITED, logFile, cwd: work, healthPath: '/hello' })

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
  return { access: access_token, itemId: ids[9] }
}

/** Warm-up, then the measured run, against a fresh server; the server's peak RSS with it. */
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

async function main() {
  build()
  if (POSTGRES_URL) cleanups.push(await postgresSchema())
  const seeder = await startService()
  const { access, itemId } = await seed(seeder.url)
  await seeder.stop()
  const auth = { authorization: `Bearer ${access}` }
  const ac = (path, opts = {}) => (server, duration) =>
    autocannon({ url: `${server.url}${path}`, connections: CONNECTIONS, duration, ...opts })

  const loginLoad = { result: undefined }
  const scenarios = [
    ['GET /health', ac('/health')],
    ['GET /item (anonymous)', ac('/item')],
    ['GET /item (authenticated, 20 items)', ac('/item', { headers: auth })],
    ['GET /item/{id} (authenticated)', ac(`/item/${itemId}`, { headers: auth })],
    ['POST /login (argon2id)', ac('/login', { method: 'POST', body: USER })],
    [
      `POST /refresh (rotation loop, ${CONNECTIONS} sessions)`,
      // One call: the loop warms up itself, after each worker's login and before its clock starts.
      (server, duration, phase) =>
        phase === 'warm-up'
          ? Promise.resolve()
          : refreshLoop({ url: server.url, workers: CONNECTIONS, warmup: WARMUP, duration, ...USER }),
    ],
    [
      `GET /item/{id} (authenticated) + ${LOGIN_RATE} logins/s`,
      async (server, duration) => {
        const [reads, logins] = await Promise.all([
          ac(`/item/${itemId}`, { headers: auth })(server, duration),
          autocannon({ url: `${server.url}/login`, connections: 8, duration, method: 'POST', body: USER, rate: LOGIN_RATE }),
        ])
        loginLoad.result = logins
        // The server's CPU time covers both: the row's µs/req is per request of either kind.
        return { ...reads, extraRequests: logins.requests }
      },
    ],
  ]

  if (PROFILE) {
    const scenario = scenarios.find(([n]) => n === PROFILE)
    if (!scenario) throw new Error(`no scenario named "${PROFILE}"`)
    return profile(...scenario)
  }

  console.log(`bench: ${SMOKE ? 'smoke' : 'full'} run, ${DURATION} s per scenario after ${WARMUP} s warm-up, ${CONNECTIONS} connections`)
  const rows = [{ scenario: 'baseline: bare Fastify GET /hello', ...(await measure(startBaseline, ac('/hello'))) }]
  for (const [scenario, load] of scenarios) {
    if (ONLY && !(scenario === ONLY || (!scenarios.some(([n]) => n === ONLY) && scenario.includes(ONLY)))) continue
    rows.push({ scenario, ...(await measure(startService, load)) })
    console.log(`  ${scenario}: ${Math.round(rows.at(-1).rps)} req/s`)
    if (loginLoad.result) rows.push({ scenario: `  the ${LOGIN_RATE} logins/s beside it`, ...loginLoad.result, rssMb: undefined })
    loginLoad.result = undefined
  }

  // Start-up: process start to the first 200, the service's and (for scale) bare Fastify's.
  const startups = { service: [], baseline: [] }
  for (let i = 0; i < (ONLY ? 0 : STARTUP_RUNS); i++) {
    for (const [start, times] of [
      [startService, startups.service],
      [startBaseline, startups.baseline],
    ]) {
      const server = await start()
      times.push(server.startupMs)
      await server.stop()
    }
  }

  report(rows, startups)
}

const fmt = (n, digits = 0) => (n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

function report(rows, startups) {
  const hello = { rps: rows[0].rps, cpuUs: rows[0].cpuUs }
  const table = [
    '| scenario | req/s | p50 ms | p99 ms | non-2xx | errors | peak RSS MB | × hello | server CPU µs/req |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.non2xx} | ${r.errors} | ${fmt(r.rssMb, 1)} | ${fmt(r.rps / hello.rps, 2)} | ${fmt(r.cpuUs)} |`,
    ),
    ...(startups.service.length
      ? [
          `| start-up to first 200 from /health, ms (median of ${startups.service.length}) | | ${fmt(median(startups.service))} | | | | | | |`,
          `| start-up of the baseline to first 200, ms (median of ${startups.baseline.length}) | | ${fmt(median(startups.baseline))} | | | | | | |`,
        ]
      : []),
  ].join('\n')

  const byName = (prefix) => rows.find((r) => r.scenario.startsWith(prefix))
  const itemId = byName('GET /item/{id} (authenticated)')
  const anon = byName('GET /item (anonymous)')
  const underLogin = byName(`GET /item/{id} (authenticated) + `)
  const serviceRows = rows.slice(1)
  const targets = [
    itemId && ['authenticated GET /item/{id} ≥ 0.5 × hello', itemId.rps / hello.rps, (v) => v >= 0.5, (v) => fmt(v, 2)],
    anon && ['anonymous GET /item ≥ 0.5 × hello', anon.rps / hello.rps, (v) => v >= 0.5, (v) => fmt(v, 2)],
    itemId && underLogin && ['p99 of GET /item/{id} under login load ≤ 3 × without', underLogin.p99 / itemId.p99, (v) => v <= 3, (v) => `${fmt(v, 2)}×`],
    startups.service.length && ['start-up ≤ 500 ms', median(startups.service), (v) => v <= 500, (v) => `${fmt(v)} ms`],
    ['peak RSS ≤ 120 MB', Math.max(...serviceRows.map((r) => r.rssMb ?? 0)), (v) => v <= 120, (v) => `${fmt(v, 1)} MB`],
    ['no non-2xx, no errors', serviceRows.reduce((n, r) => n + r.non2xx + r.errors, 0), (v) => v === 0, (v) => String(v)],
  ].filter(Boolean)
  const cpuRatio = (r) => r && `${r.scenario.trim()} ${fmt(hello.cpuUs / r.cpuUs, 2)}`
  const cpuRatios = [itemId, anon].map(cpuRatio).filter(Boolean)
  const cpuNote = cpuRatios.length
    ? 'Server CPU time per request, as a ratio to hello (the throughput ratio a core of its own would give; ' +
      `robust when other processes share the cores): ${cpuRatios.join('; ')}.\n`
    : ''
  const checks = targets.map(([name, v, ok, show]) => `- ${ok(v) ? 'met' : '**missed**'}: ${name} (${show(v)})`).join('\n')

  const warnings = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : []
  const header = [
    `Run ${new Date().toISOString()}, ${SMOKE ? 'smoke (2 s runs)' : `${DURATION} s per scenario after ${WARMUP} s warm-up`}, ` +
      `${CONNECTIONS} connections; Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; ` +
      (canPin
        ? WORKERS > 1
          ? `the service's ${WORKERS} workers on CPUs ${SERVICE_CPUS} (sharing CPU 1 with the load generators), the baseline on CPU 0, load generators on CPU 1.`
          : 'servers on CPU 0, load generators on CPU 1.'
        : '**not pinned** (taskset or a second CPU missing).') +
      `\nService: ${POSTGRES_URL ? `PostgreSQL (${new URL(POSTGRES_URL).host}, a schema of its own; the database server's own CPU and memory are not counted)` : 'SQLite file'}, ` +
      `${WORKERS > 1 ? `WEB_CONCURRENCY=${WORKERS} (CPU time and peak RSS summed over the primary and its workers)` : 'one process'}, ` +
      `JWT_ALGORITHM=${ALGORITHM}.`,
  ].join('\n')
  const text = `${header}\n\n${table}\n\nTargets (ratios within this run):\n\n${checks}\n${cpuNote && `\n${cpuNote}`}`
  console.log(`\n${text}`)
  if (warnings.length) console.log(`The servers logged ${warnings.length} line(s) at warn or above; first: ${warnings[0]}`)

  // Only a full run of every scenario replaces the recorded table.
  if (!SMOKE && !ONLY) {
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    const file = `latest${VARIANT ? `-${VARIANT}` : ''}.md`
    writeFileSync(join(ROOT, 'bench/results', file), `# Latest bench run${VARIANT ? ` (${VARIANT})` : ''}\n\n${text}`)
  }
  const broken = serviceRows.some((r) => r.non2xx + r.errors > 0) || rows[0].non2xx + rows[0].errors > 0
  if (broken) {
    console.error('bench: some requests failed (non-2xx or socket errors); see the table above')
    process.exitCode = 1
  }
}

/** A CPU profile of the service during one scenario: the top functions by self and inclusive time. */
async function profile(name, load) {
  const dir = join(work, 'profile')
  mkdirSync(dir)
  const server = await startService(['--cpu-prof', `--cpu-prof-dir=${dir}`])
  await load(server, WARMUP, 'warm-up')
  const r = await load(server, DURATION, 'measure')
  await server.stop()
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error('no .cpuprofile written')
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  const kept = join(ROOT, 'bench/results/latest.cpuprofile')
  writeFileSync(kept, readFileSync(join(dir, file)))
  console.log(`${name} under --cpu-prof: ${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 1)} ms; profile kept in ${kept}\n`)
  console.log(summarizeProfile(JSON.parse(readFileSync(kept, 'utf8')), ROOT))
}

const cleanups = []
try {
  await main()
} finally {
  for (const cleanup of cleanups) await cleanup()
  rmSync(work, { recursive: true, force: true })
}
