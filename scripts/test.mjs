// npm test: the type check, openapi.yaml up to date and lint-clean, then the tap suite on SQLite and,
// when PostgreSQL is reachable (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test),
// the whole suite again on PostgreSQL, each test app in a schema of its own.
// TEST_POSTGRES=required (CI) fails instead of skipping the second pass.
// Arguments go to tap: `npm test -- test/items.test.ts`.
import { spawnSync } from 'node:child_process'
import pg from 'pg'

const url = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const tapArgs = process.argv.slice(2)

function run(title, command, args, env = {}) {
  console.log(`\n== ${title}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) {
    console.error(`\n== ${title}: failed`)
    process.exit(result.status ?? 1)
  }
}

async function reachable() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (err) {
    console.log(`\n== PostgreSQL at ${url}: ${err.message}`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

run('type check', 'npm', ['run', '-s', 'typecheck'])
run('layout rules', process.execPath, ['scripts/check-layout.mjs'])
run('openapi.yaml is current', 'npm', ['run', '-s', 'openapi:check'])
run('openapi.yaml lint', 'npm', ['run', '-s', 'lint:openapi'])
// Files whose subject has no database dialect in it (the spec, Swagger UI and the web app in
// Chromium, the generated client's types, the web app's files) run on the SQLite pass only,
// unless named on the command line.
const dialectFree = [
  'test/openapi.test.ts',
  'test/browser.test.ts',
  'test/client.test.ts',
  'test/web.test.ts',
  'test/web-accounts.test.ts',
  'test/web-email.test.ts',
  'test/web-refresh.test.ts',
  'test/web-serving.test.ts',
]
const pgArgs = tapArgs.length ? tapArgs : dialectFree.flatMap((file) => ['--exclude', file])

// The tests that start the server as a child process run the build, as `npm start` does.
run('build', 'npm', ['run', '-s', 'build'])
run('tests on SQLite', 'npx', ['tap', ...tapArgs], { TEST_DATABASE: 'sqlite' })
if (await reachable()) {
  run('tests on PostgreSQL', 'npx', ['tap', ...pgArgs], { TEST_DATABASE: 'postgres', TEST_POSTGRES_URL: url })
} else if (process.env.TEST_POSTGRES === 'required') {
  console.error('== TEST_POSTGRES=required but PostgreSQL is not reachable: failing')
  process.exit(1)
} else {
  console.log('== PostgreSQL is not reachable: the suite ran on SQLite only')
}
