import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { REALM } from '../../http/challenge.js'
import { toErrorBody } from '../../http/error-body.js'

/** The one error handler: everything thrown becomes the Error shape; 5xx is logged with its cause. */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError | Error, request, reply) => {
      const { body, headers } = toErrorBody(err)
      // A 4xx is told by the request's access line (its code); a 5xx also gets its cause logged.
      request.errorCode = body.code
      if (body.statusCode >= 500) request.log.error({ err }, 'request failed')
      if (body.statusCode === 401 && !headers['www-authenticate']) headers['www-authenticate'] = REALM
      return reply.code(body.statusCode).headers(headers).send(body)
    })
  },
  { name: 'error-handler' },
)
