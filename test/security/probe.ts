// Shared by the security tests: an app with test-only probe routes, a database snapshot,
// JWT crafting with any algorithm, and raw HTTP requests (inject bypasses Node's parser).
import { createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto'
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_SECRET, onPostgres, postgresSchema, rawQuery, tempDir } from '../helper.js'

type Tap = { teardown(fn: () => unknown): void }

export const PROBE_LEVELS = { access: 'access', fresh: 'fresh', admin: 'admin+fresh', refresh: 'refresh' } as const
export type ProbeLevel = keyof typeof PROBE_LEVELS

/**
 * A ready app (on a fresh temp SQLite file or, with TEST_DATABASE=postgres, a schema of its own)
 * with one extra route per auth level, `POST /probe/{level}`, whose handler only counts its
 * calls: a count that stays put proves no handler ran.
 */
export async function probeApp(t: Tap, env: Record<string, string> = {}) {
  const databaseUrl = env.DATABASE_URL ?? (onPostgres ? await postgresSchema(t) : join(tempDir(t), 'test.db'))
  const config = loadConfig({ AUTH_RATE_LIMIT: '0', ...env, DATABASE_URL: databaseUrl })
  const app = await buildApp({ ...config, jwtSecret: TEST_SECRET }, { logger: false })
  const hits: Record<ProbeLevel, number> = { access: 0, fresh: 0, admin: 0, refresh: 0 }
  for (const [name, auth] of Object.entries(PROBE_LEVELS) as [ProbeLevel, (typeof PROBE_LEVELS)[ProbeLevel]][]) {
    app.post(`/probe/${name}`, { config: { auth } }, async () => {
      hits[name]++
      return { ran: true }
    })
  }
  await app.ready()
  t.teardown(() => app.close())
  return { app, hits }
}

/** Every row of every table, as text: equal snapshots mean nothing was written. */
export async function snapshot(app: App): Promise<string> {
  const tables = ['users', 'sessions', 'stores', 'items']
  const rows = []
  for (const name of tables) rows.push(await rawQuery(app, sql`SELECT * FROM ${sql.identifier(name)} ORDER BY id`))
  return JSON.stringify(rows)
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A compact JWS signed by `signer` over `header.payload`. Objects are JSON-encoded; strings are the part's raw text. */
export function craft(header: unknown, payload: unknown, signer: (input: string) => string) {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${signer(input)}`
}

export const hmac =
  (key: string | Buffer, bits: 256 | 384 | 512 = 256) =>
  (input: string) =>
    createHmac(`sha${bits}`, key).update(input).digest('base64url')

/** RS256 (PKCS#1 v1.5), ES256 (IEEE P1363 r||s) or EdDSA signatures with a private key. */
export const asymmetric = (key: KeyObject) => (input: string) =>
  cryptoSign(
    key.asymmetricKeyType === 'ed25519' ? null : 'sha256',
    Buffer.from(input),
    key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
  ).toString('base64url')

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request over a real socket. Header values may be arrays: each element is its own header line. */
export function send(port: number, method: string, path: string, headers: OutgoingHttpHeaders, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Listens on an ephemeral port of 127.0.0.1 and returns it. */
export async function listen(app: App): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}
