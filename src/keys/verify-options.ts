import type { VerifierOptions } from 'fast-jwt'
import type { Config } from '../config.js'

/**
 * What every verifier checks besides the signature (one per key, and @fastify/jwt's): the
 * claims every token needs, plain-string issuer/audience when configured, JWT_LEEWAY on exp
 * and nbf. No fast-jwt cache: the key set keeps verified tokens itself (auth/verified-tokens.ts),
 * without hashing each token; the session and the user are still read on every request.
 */
export function verifyOptions(config: Pick<Config, 'jwtIssuer' | 'jwtAudience' | 'jwtLeeway'>): VerifierOptions {
  return {
    // fast-jwt checks iss/aud only when present: a configured one must be required too.
    requiredClaims: [
      'sub',
      'type',
      'jti',
      'sid',
      'iat',
      'exp',
      ...(config.jwtIssuer === undefined ? [] : ['iss']),
      ...(config.jwtAudience === undefined ? [] : ['aud']),
    ],
    clockTolerance: config.jwtLeeway * 1000,
    cache: false,
    ...(config.jwtIssuer === undefined ? {} : { allowedIss: config.jwtIssuer }),
    ...(config.jwtAudience === undefined ? {} : { allowedAud: config.jwtAudience }),
  }
}
