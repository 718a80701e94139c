import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'

/**
 * @fastify/jwt with verification pinned: one algorithm, the claims every token needs,
 * plain-string issuer/audience when configured, JWT_LEEWAY on exp and nbf. fast-jwt's
 * verification cache (default key and bounds) skips decoding and the HMAC for a token that
 * verified before; it never replaces the session and user lookup the auth plugin does on
 * every request, so a revoked token fails at once.
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
