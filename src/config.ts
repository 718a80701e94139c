import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ALGORITHMS, type Algorithm } from './keys/algorithms.js'

const duration = Type.String({ pattern: '^[0-9]{1,9}[smhd]?$', description: 'seconds, or 30s, 15m, 1h, 30d' })
const bool = Type.String({ pattern: '^(true|false|1|0|yes|no)$', description: 'true or false' })

/** The environment the service reads, as strings. Unknown variables are ignored. */
export const Env = Type.Object({
  NODE_ENV: Type.Optional(Type.String()),
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', description: 'a port number, 0 to 65535' })),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^(file:|postgres(ql)?://|:memory:$|[^:]+$)', description: 'file:PATH or postgres://...' }),
  ),
  DATABASE_POOL_SIZE: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: 'a whole number from 1' })),
  WEB_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'a whole number of workers from 1' })),
  JWT_SECRET_KEY: Type.Optional(Type.String()),
  JWT_ACCESS_TOKEN_EXPIRES: Type.Optional(duration),
  JWT_REFRESH_TOKEN_EXPIRES: Type.Optional(duration),
  JWT_ISSUER: Type.Optional(Type.String()),
  JWT_AUDIENCE: Type.Optional(Type.String()),
  JWT_LEEWAY: Type.Optional(duration),
  FIRST_USER_IS_ADMIN: Type.Optional(bool),
  AUTH_RATE_LIMIT: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$', description: 'a whole number, 0 turns it off' })),
  CORS_ORIGINS: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
      description: 'fatal, error, warn, info, debug, trace or silent',
    }),
  ),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'redis://host:port' })),
  TRUST_PROXY: Type.Optional(
    Type.String({ pattern: '^(true|false|[0-9]{1,2}|[0-9a-fA-F.:/]+(, *[0-9a-fA-F.:/]+)*)$', description: 'true, a hop count or a CIDR list' }),
  ),
  JWT_TOKEN_LOCATION: Type.Optional(
    Type.String({ pattern: '^(headers|headers, *cookies|cookies, *headers)$', description: 'headers or headers,cookies' }),
  ),
  JWT_COOKIE_SECURE: Type.Optional(bool),
  JWT_REFRESH_REUSE_INTERVAL: Type.Optional(duration),
  JWT_ALGORITHM: Type.Optional(Type.Union(ALGORITHMS.map((a) => Type.Literal(a)), { description: 'HS256, EdDSA, ES256 or RS256' })),
  JWT_KEY_ROTATION: Type.Optional(duration),
  JWT_PREVIOUS_SECRET_KEYS: Type.Optional(Type.String({ pattern: '^[^,]+(,[^,]+)*$', description: 'secrets separated by commas' })),
  INTROSPECTION_TOKEN: Type.Optional(Type.String({ minLength: 32, description: 'a secret of at least 32 characters' })),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s?#]+$', description: 'http(s)://host[:port][/path], no query' })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s]+$', description: 'smtp://user:pass@host:587 or smtps://user:pass@host:465' })),
  MAIL_FROM: Type.Optional(Type.String({ pattern: '^[^\\r\\n]*@[^\\r\\n]*$', description: 'an address, e.g. Stores API <no-reply@example.com>' })),
  EMAIL_VERIFICATION: Type.Optional(Type.Union([Type.Literal('optional'), Type.Literal('required')], { description: 'optional or required' })),
  EMAIL_VERIFY_EXPIRES: Type.Optional(duration),
  PASSWORD_RESET_EXPIRES: Type.Optional(duration),
})
export type Env = Static<typeof Env>

export interface Config {
  nodeEnv: string
  production: boolean
  port: number
  host: string
  /** `postgres://...` or a SQLite file path (the `file:` prefix stripped), or `:memory:`. */
  databaseUrl: string
  /** Connections each process may open to PostgreSQL. */
  databasePoolSize: number
  /** Worker processes sharing the port (node:cluster); 1 is a single process. */
  webConcurrency: number
  /** Unset until resolved (see secret.ts); buildApp needs it. */
  jwtSecret: string | undefined
  accessTokenTtl: number
  refreshTokenTtl: number
  jwtIssuer: string | undefined
  jwtAudience: string | undefined
  jwtLeeway: number
  firstUserIsAdmin: boolean
  authRateLimit: number
  corsOrigins: string[]
  logLevel: string
  redisUrl: string | undefined
  trustProxy: boolean | number | string
  cookies: boolean
  cookieSecure: boolean
  /** Seconds after a rotation during which the retired refresh token still refreshes (0: never). */
  refreshReuseInterval: number
  /** How tokens are signed: HS256 with jwtSecret, or a key pair the service keeps in the database. */
  jwtAlgorithm: Algorithm
  /** Seconds between automatic key rotations; undefined: manual only. */
  keyRotation: number | undefined
  /** Retired HS256 secrets that still verify (never sign). */
  previousSecrets: string[]
  /** The credential of POST /introspect; undefined: that route answers 404. */
  introspectionToken: string | undefined
  /** Base of the links in mails, without a trailing slash. */
  publicUrl: string
  /** Unset: mails are written as .eml files into ./data/mail/. */
  smtpUrl: string | undefined
  mailFrom: string
  emailVerification: 'optional' | 'required'
  emailVerifyTtl: number
  passwordResetTtl: number
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

export function parseDuration(text: string): number {
  const match = /^([0-9]+)([smhd]?)$/.exec(text)
  if (!match) throw new Error(`not a duration: ${text}`)
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1)
}

const truthy = (v: string) => v === 'true' || v === '1' || v === 'yes'

type Lifetime = 'JWT_ACCESS_TOKEN_EXPIRES' | 'JWT_REFRESH_TOKEN_EXPIRES' | 'JWT_KEY_ROTATION' | 'EMAIL_VERIFY_EXPIRES' | 'PASSWORD_RESET_EXPIRES'

function positiveDuration(env: Env, name: Lifetime, fallback: string) {
  const seconds = parseDuration(env[name] ?? fallback)
  if (seconds < 1) throw new ConfigError(name, 'must be at least 1 second')
  return seconds
}

/** A URL variable that must parse as one (the patterns only check its scheme and spaces). */
function url(name: 'PUBLIC_URL' | 'SMTP_URL', text: string) {
  if (!URL.canParse(text)) throw new ConfigError(name, 'invalid value, expected a URL')
  return text
}

/** Validates the environment once. Throws ConfigError naming the first bad variable. */
export function loadConfig(raw: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as in most shells' `VAR=` idiom.
  const env = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''))
  const error = Value.Errors(Env, env).First()
  if (error) {
    const variable = error.path.slice(1) || 'environment'
    const expected = (error.schema as { description?: string }).description
    throw new ConfigError(variable, `invalid value${expected ? `, expected ${expected}` : ''}`)
  }
  const e = env as Env
  const port = Number(e.PORT ?? 3000)
  if (port > 65535) throw new ConfigError('PORT', 'invalid value, expected a port number, 0 to 65535')

  const databaseUrl = (e.DATABASE_URL ?? 'file:./data/stores.db').replace(/^file:(\/\/)?/, '')
  const accessTokenTtl = positiveDuration(e, 'JWT_ACCESS_TOKEN_EXPIRES', '15m')
  const refreshTokenTtl = positiveDuration(e, 'JWT_REFRESH_TOKEN_EXPIRES', '30d')
  const production = e.NODE_ENV === 'production'
  if (production && e.JWT_SECRET_KEY === undefined) {
    throw new ConfigError('JWT_SECRET_KEY', 'is required when NODE_ENV=production')
  }
  if (production && Buffer.byteLength(e.JWT_SECRET_KEY ?? '') < 32) {
    throw new ConfigError('JWT_SECRET_KEY', 'must be at least 32 bytes when NODE_ENV=production')
  }
  const previousSecrets = (e.JWT_PREVIOUS_SECRET_KEYS ?? '').split(',').filter(Boolean)
  if (production && previousSecrets.some((secret) => Buffer.byteLength(secret) < 32)) {
    throw new ConfigError('JWT_PREVIOUS_SECRET_KEYS', 'each secret must be at least 32 bytes when NODE_ENV=production')
  }
  const tp = e.TRUST_PROXY
  const trustProxy = tp === undefined || tp === 'false' ? false : tp === 'true' ? true : /^[0-9]+$/.test(tp) ? Number(tp) : tp

  return {
    nodeEnv: e.NODE_ENV ?? 'development',
    production,
    port,
    host: e.HOST ?? '127.0.0.1',
    databaseUrl,
    databasePoolSize: Number(e.DATABASE_POOL_SIZE ?? 10),
    webConcurrency: Number(e.WEB_CONCURRENCY ?? 1),
    jwtSecret: e.JWT_SECRET_KEY,
    accessTokenTtl,
    refreshTokenTtl,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    jwtLeeway: parseDuration(e.JWT_LEEWAY ?? '0'),
    firstUserIsAdmin: truthy(e.FIRST_USER_IS_ADMIN ?? 'true'),
    authRateLimit: Number(e.AUTH_RATE_LIMIT ?? 10),
    corsOrigins: (e.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel: e.LOG_LEVEL ?? 'info',
    redisUrl: e.REDIS_URL,
    trustProxy,
    // Cookie mode is the default: the web app at /app authenticates with HttpOnly cookies.
    cookies: (e.JWT_TOKEN_LOCATION ?? 'headers,cookies').includes('cookies'),
    cookieSecure: truthy(e.JWT_COOKIE_SECURE ?? 'true'),
    refreshReuseInterval: parseDuration(e.JWT_REFRESH_REUSE_INTERVAL ?? '0'),
    jwtAlgorithm: e.JWT_ALGORITHM ?? 'HS256',
    keyRotation: e.JWT_KEY_ROTATION === undefined ? undefined : positiveDuration(e, 'JWT_KEY_ROTATION', ''),
    previousSecrets,
    introspectionToken: e.INTROSPECTION_TOKEN,
    publicUrl: url('PUBLIC_URL', e.PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
    smtpUrl: e.SMTP_URL === undefined ? undefined : url('SMTP_URL', e.SMTP_URL),
    mailFrom: e.MAIL_FROM ?? 'Stores API <no-reply@localhost>',
    emailVerification: e.EMAIL_VERIFICATION ?? 'optional',
    emailVerifyTtl: positiveDuration(e, 'EMAIL_VERIFY_EXPIRES', '24h'),
    passwordResetTtl: positiveDuration(e, 'PASSWORD_RESET_EXPIRES', '30m'),
  }
}
