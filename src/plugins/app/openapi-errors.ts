import fp from 'fastify-plugin'
import type { RouteOptions } from 'fastify'
import { errorResponse } from '../../http/responses.js'

const GENERIC_4XX = errorResponse('Any other client error, such as malformed JSON (400), a body over 1 MiB (413) or a body that is not JSON (415).')
const BUSY = errorResponse('service_unavailable: the database stayed locked elsewhere (a backup, a migration) for 5 s; see Retry-After.')
const READS = new Set(['GET', 'HEAD'])

/**
 * Every operation documents the generic 4XX (errors raised before routing reaches it), and every
 * write the 503 it answers when the database lock cannot be had in time.
 */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.schema?.hide) return
      const writes = [route.method].flat().some((m) => !READS.has(m))
      route.schema = { ...route.schema, response: { '4xx': GENERIC_4XX, ...(writes ? { 503: BUSY } : {}), ...(route.schema?.response as object) } }
    })
  },
  { name: 'openapi-errors' },
)
