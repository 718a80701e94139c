// Shared by the key tests: the served JWKS, an independent verifier (jose), the service's own
// private key read back from the database, and tokens crafted with any header and key.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import type { App } from '../../src/app.js'
import { sealer } from '../../src/seal.js'
import { TEST_SECRET, decodeJwt, onPostgres, postgresSchema, rawQuery, tempDir } from '../helper.js'
import { asymmetric, craft } from '../security/probe.js'

type Tap = { teardown(fn: () => unknown): void }

export const ASYMMETRIC = ['EdDSA', 'ES256', 'RS256'] as const
export type Asymmetric = (typeof ASYMMETRIC)[number]

/** A DATABASE_URL that several apps of one test share: a SQLite file, or a PostgreSQL schema. */
export async function sharedUrl(t: Tap) {
  return onPostgres ? postgresSchema(t) : join(tempDir(t), 'shared.db')
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())
}

export const kidOf = (token: string) => String(headerOf(token).kid)

export async function jwksOf(app: App): Promise<JSONWebKeySet> {
  const res = await app.inject('/.well-known/jwks.json')
  if (res.statusCode !== 200) throw new Error(`jwks: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** What a second service does: verify with the published JWKS alone, by jose, the algorithm pinned. */
export async function verifyWithJwks(app: App, token: string, alg: string) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await jwksOf(app)), { algorithms: [alg] })
  return { payload, protectedHeader }
}

/** The signing_keys rows as the database holds them. */
export const keyRows = (app: App) => rawQuery(app, sql`SELECT * FROM signing_keys ORDER BY generation`)

/** The service's private key of `kid`, opened as the service does (tests only: to forge around it). */
export async function privateKeyOf(app: App, kid: string): Promise<KeyObject> {
  const [row] = await rawQuery(app, sql`SELECT sealed_private_key FROM signing_keys WHERE kid = ${kid}`)
  if (!row) throw new Error(`no key ${kid}`)
  return createPrivateKey(sealer(TEST_SECRET, 'signing key').open(String(row.sealed_private_key), kid))
}

/** A key pair of `alg` that is not the service's. */
export function foreignKey(alg: Asymmetric): KeyObject {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519').privateKey
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
}

/** A token of these claims (freshly dated, from a real one) under `header`, signed by `key`. */
export function resign(real: string, header: Record<string, unknown>, key: KeyObject, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return craft(header, { ...decodeJwt(real), iat: now, nbf: now, exp: now + 600, ...overrides }, asymmetric(key))
}

/** GET /me with this token: the status and code the service answers. */
export async function meWith(app: App, token: string) {
  const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
  return { status: res.statusCode, code: (res.json() as { code?: string }).code }
}
