import fp from 'fastify-plugin'
import type { ErrorBody } from '../../../schemas/error.js'

/** Unknown routes: 404 `not_found` in the Error shape. */
export default fp(
  async (app) => {
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]
      const body: ErrorBody = { statusCode: 404, code: 'not_found', error: 'Not Found', message: `No route ${request.method} ${path}.` }
      return reply.code(404).send(body)
    })
  },
  { name: 'not-found' },
)
