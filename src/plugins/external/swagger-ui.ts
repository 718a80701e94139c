import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/**
 * The CSP of /docs, replacing helmet's on those routes: Swagger UI is served from here, with no
 * inline or third-party script. Its renderer sets `style` attributes (syntax highlighting), which
 * a CSP can only allow with 'unsafe-inline' on style-src; scripts stay locked to 'self'. No
 * `upgrade-insecure-requests` (see helmet.ts: /docs must work over plain HTTP too). A browser
 * test (test/browser.test.ts) fails on any CSP violation on this page.
 */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
}

/** Swagger UI at /docs; the spec at /docs/json and /docs/yaml. */
export default fp(
  async (app) => {
    await app.register(swaggerUi, {
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
      staticCSP: DOCS_CSP,
    })
  },
  { name: 'swagger-ui', dependencies: ['swagger'] },
)
