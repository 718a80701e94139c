import type { VerifierOptions } from 'fast-jwt'
import type { Config } from '../config.js'

/**
 * What every verifier checks besides the signature (one per key, and @fastify/jwt's): the
 * claims every token needs, plain-string issuer/audience when configured, JWT_LEEWAY on exp
 * and nbf, and fast-jwt's verification cache (default key and bounds), which skips decoding
 * and the signature for a token that verified before. It never replaces the session and user
 * lookup the auth plugin does on every request, so a revoked token fails at once.
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
    cache: true,
    ...(config.jwtIssuer === undefined ? {} : { allowedIss: config.jwtIssuer }),
    ...(config.jwtAudience === undefined ? {} : { allowedAud: config.jwtAudience }),
  }
}
