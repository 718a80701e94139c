import fp from 'fastify-plugin'
import cors from '@fastify/cors'

/** Cross-origin access only for the origins in CORS_ORIGINS; none by default. */
export default fp(
  async (app) => {
    const origins = app.config.corsOrigins
    if (origins.length === 0) return
    await app.register(cors, {
      origin: origins,
      credentials: app.config.cookies,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-CSRF-Token'],
      exposedHeaders: ['Location', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    })
  },
  { name: 'cors', dependencies: ['config'] },
)
