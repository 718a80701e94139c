import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health, Root } from '../../schemas/common.js'
import { HttpError } from '../http/errors.js'
import { packageInfo } from '../package-info.js'
import { errors, success } from '../http/responses.js'

const meta: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      config: { auth: 'public' },
      schema: { operationId: 'getRoot', summary: 'Service name and version', tags: ['meta'], response: { 200: success(Root, 'The service name and version, and where the docs are.') } },
    },
    async () => ({ name: packageInfo.name, version: packageInfo.version, status: 'ok' as const, docs: '/docs' as const }),
  )

  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'getHealth',
        summary: 'Health check',
        description: 'Queries the database. 503 while it cannot be queried.',
        tags: ['meta'],
        response: { 200: success(Health, 'The service and its database are up.'), ...errors({ 503: 'service_unavailable: the database cannot be queried.' }) },
      },
    },
    async (request) => {
      try {
        await app.db.ping()
      } catch (err) {
        request.log.error({ err }, 'database ping failed')
        throw new HttpError(503, 'service_unavailable', 'The database cannot be queried.')
      }
      return { status: 'ok' as const, database: 'ok' as const }
    },
  )
}
export default meta
