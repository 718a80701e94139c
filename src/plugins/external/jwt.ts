import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'

/**
 * @fastify/jwt with verification pinned: one algorithm, the claims every token needs,
 * plain-string issuer/audience when configured, JWT_LEEWAY on exp and nbf.
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
        // The auth plugin keeps verified tokens itself (src/auth/verified-tokens.ts).
        cache: false,
        ...(config.jwtIssuer === undefined ? {} : { allowedIss: config.jwtIssuer }),
        ...(config.jwtAudience === undefined ? {} : { allowedAud: config.jwtAudience }),
      },
    })
  },
  { name: 'jwt', dependencies: ['config'] },
)
