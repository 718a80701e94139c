import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/**
 * The CSP of the /docs page: Swagger UI is served from here, with no inline or third-party
 * script. Its renderer sets `style` attributes (syntax highlighting), which a CSP can only allow
 * with 'unsafe-inline' on style-src; scripts stay locked to 'self'. No `upgrade-insecure-requests`:
 * /docs must work over plain HTTP too. test/browser.test.ts fails on any CSP violation here.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ')

/**
 * Swagger UI at /docs; the spec at /docs/json and /docs/yaml. Its HTML gets DOCS_CSP; its JSON,
 * YAML and assets keep the API headers. The hook lives in this plugin's own context, so no
 * other route runs it.
 */
export default fp(
  async (app) => {
    await app.register(async (docs) => {
      docs.addHook('onSend', (_request, reply, payload, done) => {
        if (String(reply.getHeader('content-type')).startsWith('text/html')) reply.header('content-security-policy', DOCS_CSP)
        done(null, payload)
      })
      await docs.register(swaggerUi, {
        routePrefix: '/docs',
        uiConfig: {
          // The token pasted into "Authorize" survives a reload (kept in this browser's localStorage).
          persistAuthorization: true,
          // Tags in the order of the spec's `tags` list (see swagger.ts), operations in route order.
          tagsSorter: undefined,
          operationsSorter: undefined,
          docExpansion: 'list',
          deepLinking: true,
          displayRequestDuration: true,
        },
        staticCSP: false,
      })
    })
  },
  { name: 'swagger-ui', dependencies: ['swagger'] },
)
