import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'

/**
 * @fastify/jwt with verification pinned: one algorithm, the claims every token needs,
 * plain-string issuer/audience when configured, JWT_LEEWAY on exp and nbf.
 *
 * fast-jwt's verification cache is on (1,000 tokens): a token that verified is not decoded
 * and HMAC-checked again on every request (about a sixth of the CPU time of an authenticated
 * request in the profile), and an entry never outlives the token's `exp` or comes before its
 * `nbf`. Only tokens whose signature verified get an entry; a failure is not cached. The cache
 * only says that the signature and claims were valid: revocation, the session and the user are
 * still looked up in the database on every request by the auth plugin, so a revoked token
 * fails at once.
 *
 * Its key is the token itself, not fast-jwt's default SHA-256 of it: hashing every token was
 * another 5 % of an authenticated request. fast-jwt hashes by default so that a heap dump does
 * not show tokens; this process holds the signing key in the same heap, so hashing would not
 * protect anything here. Identity keys cannot collide (the GHSA its README cites is about
 * custom keys that do).
 */
export default fp(
  async (app) => {
    const { config } = app
    await app.register(fastifyJwt, {
      secret: config.jwtSecret,
      sign: { algorithm: 'HS256' },
      verify: {
        algorithms: ['HS256'],
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
        cacheKeyBuilder: (token: string) => token,
        ...(config.jwtIssuer === undefined ? {} : { allowedIss: config.jwtIssuer }),
        ...(config.jwtAudience === undefined ? {} : { allowedAud: config.jwtAudience }),
      },
    })
  },
  { name: 'jwt', dependencies: ['config'] },
)
