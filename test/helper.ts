import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import pg from 'pg'
import type { Test } from 'tap'
import { buildApp, type App, type BuildOptions } from '../src/app.js'
import { loadConfig } from '../src/config.js'

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789'

type Tap = { teardown(fn: () => unknown): void }

/** A temporary folder removed at teardown. */
export function tempDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'stores-api-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The PostgreSQL database tests use (trust auth); TEST_POSTGRES_URL overrides it. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** TEST_DATABASE=postgres: build() gives each app its own schema on TEST_POSTGRES_URL. */
export const onPostgres = process.env.TEST_DATABASE === 'postgres'

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Whether TEST_POSTGRES_URL accepts connections. */
export async function postgresReachable() {
  return adminQuery('SELECT 1').then(
    () => true,
    () => false,
  )
}

/** `url` with its connections' search_path set to `schema`: tables are made and found there. */
export function withSearchPath(url: string, schema: string) {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

/** A new, empty schema in the test database, dropped at teardown; returns its DATABASE_URL. */
export async function postgresSchema(t: Tap) {
  const schema = `t_${randomBytes(8).toString('hex')}`
  await adminQuery(`CREATE SCHEMA ${schema}`)
  t.teardown(() => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
  return withSearchPath(TEST_POSTGRES_URL, schema)
}

/**
 * A ready app on a fresh temporary database, closed at teardown: a SQLite file, or with
 * TEST_DATABASE=postgres a PostgreSQL schema of its own. `env` takes the same variables
 * as the service; AUTH_RATE_LIMIT is off unless a test sets it.
 */
export async function build(t: Tap, env: Record<string, string> = {}, options: BuildOptions = {}) {
  const databaseUrl = env.DATABASE_URL ?? (onPostgres ? await postgresSchema(t) : join(tempDir(t), 'test.db'))
  const config = loadConfig({ AUTH_RATE_LIMIT: '0', ...env, DATABASE_URL: databaseUrl })
  // Mails go to a temporary folder, not ./data/mail of the checkout, unless SMTP_URL is set.
  const outbox = { mailDir: join(tempDir(t), 'mail'), ...options.outbox }
  const app = await buildApp({ ...config, jwtSecret: env.JWT_SECRET_KEY ?? TEST_SECRET }, { ...(options.logStream ? {} : { logger: false }), ...options, outbox })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

/** Raw SQL on the app's database, SQLite or PostgreSQL: the result rows. */
export async function rawQuery(app: App, query: SQL): Promise<Array<Record<string, unknown>>> {
  if (app.db.dialect === 'postgres') return (await app.db.db.execute(query)).rows
  const { sql: text, params } = new SQLiteSyncDialect().sqlToQuery(query)
  const statement = app.db.sqlite.prepare(text)
  if (statement.reader) return statement.all(...params) as Array<Record<string, unknown>>
  statement.run(...params)
  return []
}

/** The first column of the first row as a number (PostgreSQL's bigint counts come as strings). */
export async function rawNumber(app: App, query: SQL): Promise<number | undefined> {
  const [row] = await rawQuery(app, query)
  const value = row && Object.values(row)[0]
  return value === undefined || value === null ? undefined : Number(value)
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export interface Account {
  id: number
  username: string
  password: string
  access: string
  refresh: string
  headers: { authorization: string }
}

/** Registers `username` (the first one becomes admin) and logs in: a fresh token pair. */
export async function account(app: App, username: string, password = 'password-123'): Promise<Account> {
  const reg = await app.inject({ method: 'POST', url: '/register', payload: { username, password } })
  if (reg.statusCode !== 201) throw new Error(`register ${username}: ${reg.statusCode} ${reg.body}`)
  const tokens = await login(app, username, password)
  return { id: reg.json().id, username, password, access: tokens.access_token, refresh: tokens.refresh_token, headers: bearer(tokens.access_token) }
}

export async function login(app: App, username: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
  return res.json() as { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number }
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Signs any header and payload with HMAC-SHA256: for forging and tampering in tests. */
export function signJwt(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, secret = TEST_SECRET) {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
}

/** Claims like a real access token's, for `sub`/`sid` of a real session, with overrides. */
export function accessClaims(real: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return { ...decodeJwt(real), jti: randomUUID(), iat: now, nbf: now, exp: now + 900, ...overrides }
}

/** Asserts the Error shape and code of a response. */
export function expectError(
  t: Test,
  res: LightMyRequestResponse,
  status: number,
  code: string,
) {
  t.equal(res.statusCode, status, `status ${status} (${res.body.slice(0, 200)})`)
  const body = res.json()
  t.match(body, { statusCode: status, code, error: String, message: String }, `code ${code}`)
  if (status === 401) t.match(res.headers['www-authenticate'], /^Bearer realm="stores-api"/, 'WWW-Authenticate')
}

/** A log stream for `build(t, env, { logStream })` that keeps every line, raw and parsed. */
export function logCapture() {
  const raw: string[] = []
  const lines: Array<Record<string, unknown>> = []
  const stream = {
    write(chunk: string) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line)
        lines.push(JSON.parse(line) as Record<string, unknown>)
      }
    },
  }
  return { stream, raw, lines }
}

type ItemBody = { name: string; price: number; store_id: number }

/** POST /store that must succeed: the created store. */
export async function createStore(app: App, headers: Record<string, string>, name: string) {
  const res = await app.inject({ method: 'POST', url: '/store', headers, payload: { name } })
  if (res.statusCode !== 201) throw new Error(`create store ${name}: ${res.statusCode} ${res.body}`)
  return res.json() as { id: number; name: string; created_at: string }
}

/** POST /item that must succeed: the created item. */
export async function createItem(app: App, headers: Record<string, string>, payload: ItemBody) {
  const res = await app.inject({ method: 'POST', url: '/item', headers, payload })
  if (res.statusCode !== 201) throw new Error(`create item ${payload.name}: ${res.statusCode} ${res.body}`)
  return res.json() as ItemBody & { id: number; created_at: string }
}
