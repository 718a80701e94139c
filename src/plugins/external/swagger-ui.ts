import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/** Swagger UI at /docs; the spec at /docs/json and /docs/yaml. */
export default fp(
  async (app) => {
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { persistAuthorization: true, tagsSorter: undefined, operationsSorter: undefined, docExpansion: 'list', deepLinking: true },
      staticCSP: true,
      // Same reason as in helmet.ts: /docs must load over plain HTTP too.
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    })
  },
  { name: 'swagger-ui', dependencies: ['swagger'] },
)
