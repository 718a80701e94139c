import type { FastifyBaseLogger } from 'fastify'
import type { TokenClaims } from '../../schemas/auth.js'
import type { PublicJwk } from '../../schemas/keys.js'
import type { AppConfig } from '../app.js'
import type { SigningKeysRepository } from '../repositories/types.js'
import type { Algorithm } from './algorithms.js'
import { secretEntry, secretSigner } from './entries.js'
import { keySet } from './key-set.js'
import { storedKeys } from './stored-keys.js'
import { verifyOptions } from './verify-options.js'

/** The service's signing and verification keys (`app.keys`). */
export interface Keys {
  readonly algorithm: Algorithm
  /** A JWT of these claims, signed by the current key, its kid in the header. */
  sign(claims: TokenClaims): string
  /**
   * The claims of a token signed by one of the keys, or a 401. Synchronous: undefined only when
   * the token names a kid not loaded yet (another instance's new key?): then verifyAfterReload.
   */
  verify(token: string): TokenClaims | undefined
  /** Reloads the key set from the database (at most once a second), then verifies. */
  verifyAfterReload(token: string): Promise<TokenClaims>
  /** The public JWKs of every key that may still verify a live token. */
  jwks(): PublicJwk[]
  /** A new current key (the old one keeps verifying). Not for HS256: RotationUnsupported. */
  rotate(): Promise<{ kid: string; previousKid: string | undefined }>
  /** The periodic job: reload from the database, delete expired keys, rotate when due. */
  tick(): Promise<void>
}

/** Where the keys report what they do: the app's logger, or a script's. */
export type KeysLog = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

/** HS256 secrets are rotated by configuration: JWT_PREVIOUS_SECRET_KEYS. */
export class RotationUnsupported extends Error {
  override name = 'RotationUnsupported'
}

/** HS256: the current secret signs and verifies (kid-less tokens too); previous secrets only verify. */
function secretKeys(config: AppConfig): Keys {
  const options = verifyOptions(config)
  const set = keySet(false, config.jwtLeeway)
  const secrets = [...new Set([config.jwtSecret, ...config.previousSecrets])]
  const current = secretSigner(config.jwtSecret)
  set.replace(
    secrets.map((secret) => secretEntry(secret, options)),
    current,
    current.kid,
  )
  return {
    algorithm: 'HS256',
    sign: set.sign,
    verify: set.verify,
    async verifyAfterReload() {
      throw new Error('HS256 keys are never reloaded')
    },
    jwks: () => [],
    async rotate() {
      throw new RotationUnsupported('HS256 secrets are rotated by moving JWT_SECRET_KEY to JWT_PREVIOUS_SECRET_KEYS.')
    },
    async tick() {},
  }
}

/** The keys of `config.jwtAlgorithm`: secrets from the configuration, or key pairs from the database (created when missing). */
export async function openKeys(config: AppConfig, repo: SigningKeysRepository, log: KeysLog): Promise<Keys> {
  return config.jwtAlgorithm === 'HS256' ? secretKeys(config) : storedKeys(config, repo, log)
}
