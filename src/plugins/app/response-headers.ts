import fp from 'fastify-plugin'

/**
 * What an API response needs (OWASP REST Security): nothing may run or frame it, no sniffing, no
 * referrer, HTTPS remembered. HTML pages (/docs, /app) replace the CSP with their own.
 */
export const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'no-referrer',
} as const

/**
 * The headers every response carries, set in one hook before anything else can answer: the
 * request id, the API security headers, and `Cache-Control: no-store` when the request carried
 * credentials (an Authorization header, or cookies), so no shared cache keeps a user's data.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(API_HEADERS)
      reply.header('x-request-id', request.id)
      const { headers } = request
      if (headers.authorization !== undefined || headers.cookie !== undefined) reply.header('cache-control', 'no-store')
      done()
    })
  },
  { name: 'response-headers' },
)
