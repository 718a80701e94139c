import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'

/**
 * @fastify/jwt with verification pinned: one algorithm, the claims every token needs,
 * plain-string issuer/audience when configured, JWT_LEEWAY on exp and nbf.
 *
 * fast-jwt's verification cache is on, with its default key (a SHA-256 of the whole token)
 * and bounds (1,000 tokens): a token that verified is not decoded and HMAC-checked again on
 * every request (about a sixth of the CPU time of an authenticated request in the profile), and
 * an entry never outlives the token's `exp` or comes before its `nbf`. Only tokens that
 * verified get an entry. The cache only says that the signature and claims were valid:
 * revocation, the session and the user are still looked up in the database on every request by
 * the auth plugin, so a revoked token fails at once. (Keying it by the token itself would save
 * the hash, about 5 % of an authenticated request, but fast-jwt then warns at every start that
 * custom keys are a security risk; the default stays.)
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
        ...(config.jwtIssuer === undefined ? {} : { allowedIss: config.jwtIssuer }),
        ...(config.jwtAudience === undefined ? {} : { allowedAud: config.jwtAudience }),
      },
    })
  },
  { name: 'jwt', dependencies: ['config'] },
)
