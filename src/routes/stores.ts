import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParam, Message, pageOf, ref } from '../../schemas/common.js'
import { Store, StoreCreate, StoreQuery, StoresPage, StoreWithItems } from '../../schemas/store.js'
import { notFound } from '../http/errors.js'
import { INVALID, created, errors, success } from '../http/responses.js'

const stores: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.repos.stores

  app.get(
    '/store',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'listStores',
        summary: 'List stores',
        description: '`name` filters by case-insensitive substring. Ordered by id.',
        tags: ['stores'],
        querystring: StoreQuery,
        response: { 200: success(StoresPage, 'A page of stores.'), ...errors({ 400: INVALID }) },
      },
    },
    async (request) => {
      const page = pageOf(request.query)
      return { ...(await repo.list({ ...request.query, ...page })), ...page }
    },
  )

  app.post(
    '/store',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'createStore',
        summary: 'Create a store',
        description: 'The new id comes from the stores counter and skips ids already taken, wrapping around after 2147483647.',
        tags: ['stores'],
        body: ref(StoreCreate),
        response: {
          201: created(Store, 'The store was created; `Location` names it.', '/store/{id}'),
          ...errors({ 400: INVALID, 409: 'conflict: a store of that name (any case) exists, or every store id is in use.' }),
        },
      },
    },
    async (request, reply) => {
      const store = await repo.create(request.body.name)
      return reply.code(201).header('location', `/store/${store.id}`).send(store)
    },
  )

  app.get(
    '/store/:id',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'getStore',
        summary: 'Get a store with its items',
        tags: ['stores'],
        params: IdParam,
        response: { 200: success(StoreWithItems, 'The store with all of its items.'), ...errors({ 400: INVALID, 404: 'not_found.' }) },
      },
    },
    async (request) => {
      const store = await repo.getWithItems(request.params.id)
      if (!store) throw notFound('Store')
      return store
    },
  )

  app.delete(
    '/store/:id',
    {
      config: { auth: 'admin+fresh' },
      schema: {
        operationId: 'deleteStore',
        summary: 'Delete a store and its items',
        tags: ['stores'],
        params: IdParam,
        response: { 200: success(Message, 'The store and its items are deleted.'), ...errors({ 400: INVALID, 404: 'not_found.' }) },
      },
    },
    async (request) => {
      if (!(await repo.delete(request.params.id))) throw notFound('Store')
      return { message: 'Store deleted, with its items.' }
    },
  )
}
export default stores
