import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'

/**
 * Security headers on every response. The CSP is strict for JSON; /docs (Swagger UI) gets
 * the script and style sources it needs from @fastify/swagger-ui's static CSP.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", 'https:', "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
          frameAncestors: ["'none'"],
          // The service is often reached over plain HTTP (localhost, behind a TLS proxy).
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
    })
  },
  { name: 'helmet' },
)
