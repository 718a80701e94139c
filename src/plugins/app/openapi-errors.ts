import fp from 'fastify-plugin'
import type { RouteOptions } from 'fastify'
import { errorResponse } from '../../http/responses.js'

const GENERIC_4XX = errorResponse('Any other client error, such as malformed JSON (400), a body over 1 MiB (413) or a body that is not JSON (415).')

/** Every operation documents the generic 4XX: errors raised before routing reaches it. */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.schema?.hide) return
      route.schema = { ...route.schema, response: { '4xx': GENERIC_4XX, ...(route.schema?.response as object) } }
    })
  },
  { name: 'openapi-errors' },
)
