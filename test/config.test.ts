import t, { type Test } from 'tap'
import { ConfigError, loadConfig, parseDuration } from '../src/config.js'

function rejects(t: Test, env: Record<string, string>, variable: string) {
  t.throws(() => loadConfig(env), new ConfigError(variable, ''), variable)
  try {
    loadConfig(env)
  } catch (err) {
    t.match((err as Error).message, new RegExp(`^${variable}: `), `${variable}: message names it`)
  }
}

t.test('defaults follow API.md', async (t) => {
  const c = loadConfig({})
  t.match(c, {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: './data/stores.db',
    databasePoolSize: 10,
    webConcurrency: 1,
    accessTokenTtl: 900,
    refreshTokenTtl: 30 * 86400,
    jwtLeeway: 0,
    firstUserIsAdmin: true,
    authRateLimit: 10,
    corsOrigins: [],
    logLevel: 'info',
    trustProxy: false,
    cookies: true,
    cookieSecure: true,
  })
  t.equal(loadConfig({ JWT_TOKEN_LOCATION: 'headers' }).cookies, false, 'headers turns cookie mode off')
  t.equal(c.jwtSecret, undefined)
  t.equal(c.redisUrl, undefined)
})

t.test('values are parsed', async (t) => {
  const c = loadConfig({
    PORT: '8080',
    DATABASE_URL: 'file:/tmp/x.db',
    JWT_ACCESS_TOKEN_EXPIRES: '30s',
    JWT_REFRESH_TOKEN_EXPIRES: '1h',
    JWT_LEEWAY: '5',
    FIRST_USER_IS_ADMIN: 'false',
    AUTH_RATE_LIMIT: '0',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    TRUST_PROXY: '2',
    JWT_TOKEN_LOCATION: 'headers,cookies',
    JWT_COOKIE_SECURE: 'false',
    JWT_ISSUER: 'me',
    JWT_AUDIENCE: 'you',
  })
  t.match(c, {
    port: 8080,
    databaseUrl: '/tmp/x.db',
    accessTokenTtl: 30,
    refreshTokenTtl: 3600,
    jwtLeeway: 5,
    firstUserIsAdmin: false,
    authRateLimit: 0,
    corsOrigins: ['https://a.example', 'https://b.example'],
    trustProxy: 2,
    cookies: true,
    cookieSecure: false,
    jwtIssuer: 'me',
    jwtAudience: 'you',
  })
  t.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy, '10.0.0.0/8,127.0.0.1')
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  const pg = loadConfig({ DATABASE_URL: 'postgresql://app@db:5432/stores', DATABASE_POOL_SIZE: '25', WEB_CONCURRENCY: '4' })
  t.match(pg, { databaseUrl: 'postgresql://app@db:5432/stores', databasePoolSize: 25, webConcurrency: 4 })
  t.equal(parseDuration('30d'), 2592000)
  t.equal(parseDuration('15m'), 900)
})

t.test('a bad value names its variable', async (t) => {
  rejects(t, { PORT: 'abc' }, 'PORT')
  rejects(t, { PORT: '70000' }, 'PORT')
  rejects(t, { JWT_ACCESS_TOKEN_EXPIRES: '15 minutes' }, 'JWT_ACCESS_TOKEN_EXPIRES')
  rejects(t, { JWT_REFRESH_TOKEN_EXPIRES: '0' }, 'JWT_REFRESH_TOKEN_EXPIRES')
  rejects(t, { FIRST_USER_IS_ADMIN: 'maybe' }, 'FIRST_USER_IS_ADMIN')
  rejects(t, { AUTH_RATE_LIMIT: '-1' }, 'AUTH_RATE_LIMIT')
  rejects(t, { LOG_LEVEL: 'loud' }, 'LOG_LEVEL')
  rejects(t, { REDIS_URL: 'localhost:6379' }, 'REDIS_URL')
  rejects(t, { JWT_TOKEN_LOCATION: 'query' }, 'JWT_TOKEN_LOCATION')
  rejects(t, { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL')
  rejects(t, { DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE')
  rejects(t, { WEB_CONCURRENCY: 'auto' }, 'WEB_CONCURRENCY')
})

t.test('production needs a JWT secret of at least 32 bytes', async (t) => {
  rejects(t, { NODE_ENV: 'production' }, 'JWT_SECRET_KEY')
  rejects(t, { NODE_ENV: 'production', JWT_SECRET_KEY: '0123456789' }, 'JWT_SECRET_KEY')
  const key = 'k'.repeat(32)
  t.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET_KEY: key }).jwtSecret, key)
  t.equal(loadConfig({ JWT_SECRET_KEY: 'short' }).jwtSecret, 'short', 'outside production a short key is accepted')
})

t.test('signing keys and introspection: JWT_ALGORITHM, JWT_KEY_ROTATION, JWT_PREVIOUS_SECRET_KEYS, INTROSPECTION_TOKEN', async (t) => {
  t.match(loadConfig({}), { jwtAlgorithm: 'HS256', keyRotation: undefined, previousSecrets: [], introspectionToken: undefined })
  const credential = 'i'.repeat(32)
  t.match(loadConfig({ JWT_ALGORITHM: 'EdDSA', JWT_KEY_ROTATION: '30d', JWT_PREVIOUS_SECRET_KEYS: 'old-one,old-two', INTROSPECTION_TOKEN: credential }), {
    jwtAlgorithm: 'EdDSA',
    keyRotation: 30 * 86400,
    previousSecrets: ['old-one', 'old-two'],
    introspectionToken: credential,
  })
  for (const alg of ['ES256', 'RS256']) t.equal(loadConfig({ JWT_ALGORITHM: alg }).jwtAlgorithm, alg)
  for (const alg of ['HS512', 'none', 'eddsa', 'PS256']) rejects(t, { JWT_ALGORITHM: alg }, 'JWT_ALGORITHM')
  rejects(t, { JWT_KEY_ROTATION: 'monthly' }, 'JWT_KEY_ROTATION')
  rejects(t, { JWT_KEY_ROTATION: '0' }, 'JWT_KEY_ROTATION')
  rejects(t, { JWT_PREVIOUS_SECRET_KEYS: 'a,,b' }, 'JWT_PREVIOUS_SECRET_KEYS')
  rejects(t, { NODE_ENV: 'production', JWT_SECRET_KEY: 'k'.repeat(32), JWT_PREVIOUS_SECRET_KEYS: 'short' }, 'JWT_PREVIOUS_SECRET_KEYS')
  rejects(t, { INTROSPECTION_TOKEN: 'too-short' }, 'INTROSPECTION_TOKEN')
})

t.test('mail settings: defaults, values, and bad values named', async (t) => {
  t.match(loadConfig({}), {
    publicUrl: 'http://127.0.0.1:3000',
    smtpUrl: undefined,
    mailFrom: 'Stores API <no-reply@localhost>',
    emailVerification: 'optional',
    emailVerifyTtl: 86400,
    passwordResetTtl: 1800,
  })
  t.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://127.0.0.1:8080', 'PUBLIC_URL follows PORT')
  t.match(
    loadConfig({
      PUBLIC_URL: 'https://shop.example/stores/',
      SMTP_URL: 'smtps://user:p%40ss@mail.example:465',
      MAIL_FROM: 'Shop <shop@example.com>',
      EMAIL_VERIFICATION: 'required',
      EMAIL_VERIFY_EXPIRES: '2h',
      PASSWORD_RESET_EXPIRES: '600',
    }),
    {
      publicUrl: 'https://shop.example/stores',
      smtpUrl: 'smtps://user:p%40ss@mail.example:465',
      mailFrom: 'Shop <shop@example.com>',
      emailVerification: 'required',
      emailVerifyTtl: 7200,
      passwordResetTtl: 600,
    },
  )
  rejects(t, { PUBLIC_URL: 'ftp://shop.example' }, 'PUBLIC_URL')
  rejects(t, { PUBLIC_URL: 'https://shop.example/?x=1' }, 'PUBLIC_URL')
  rejects(t, { SMTP_URL: 'http://mail.example' }, 'SMTP_URL')
  rejects(t, { MAIL_FROM: 'nobody' }, 'MAIL_FROM')
  rejects(t, { MAIL_FROM: 'a@b.example\r\nBcc: x@y.example' }, 'MAIL_FROM')
  rejects(t, { EMAIL_VERIFICATION: 'sometimes' }, 'EMAIL_VERIFICATION')
  rejects(t, { EMAIL_VERIFY_EXPIRES: '1w' }, 'EMAIL_VERIFY_EXPIRES')
  rejects(t, { PASSWORD_RESET_EXPIRES: '0' }, 'PASSWORD_RESET_EXPIRES')
})
