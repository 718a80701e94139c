import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParam, Message, pageOf, ref } from '../../schemas/common.js'
import { Item, ItemCreate, ItemPut, ItemQuery, ItemSummariesPage, ItemsPage } from '../../schemas/item.js'
import { badRequest, notFound } from '../http/errors.js'
import { INVALID, created, errors, success } from '../http/responses.js'

const ANONYMOUS_MESSAGE = 'Log in to see prices and stores.'
const FULL_PAGE = ref(ItemsPage)
const SUMMARY_PAGE = ref(ItemSummariesPage)

const items: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.repos.items

  app.get(
    '/item',
    {
      config: { auth: 'optional' },
      schema: {
        operationId: 'listItems',
        summary: 'List items',
        description:
          'With an access token: full items (`ItemsPage`). Without one: only `id` and `name`, with a `message` ' +
          'saying to log in (`ItemSummariesPage`). A token that is sent must be valid: a bad one is a 401, never anonymous. ' +
          '`store_id` and `name` (case-insensitive substring) filter. Ordered by id.',
        tags: ['items'],
        querystring: ItemQuery,
        response: {
          200: {
            ...Type.Union([ref(ItemsPage), ref(ItemSummariesPage)]),
            description: 'With a token, a page of full items (`ItemsPage`); without, a page of names (`ItemSummariesPage`).',
          },
          ...errors({ 400: INVALID }),
        },
      },
    },
    async (request, reply) => {
      const page = pageOf(request.query)
      const query = { ...request.query, ...page }
      // Serialized with the union's branch this handler returns (fast-json-stringify would test
      // each page against every branch first), set only once the page is read so that an error
      // keeps the Error schema. A custom serializer leaves Content-Type unset: stated here.
      reply.type('application/json; charset=utf-8')
      if (request.token) {
        const result = await repo.list(query)
        reply.serializer(reply.compileSerializationSchema(FULL_PAGE, '200'))
        return { ...result, ...page }
      }
      const result = await repo.listSummaries(query)
      reply.serializer(reply.compileSerializationSchema(SUMMARY_PAGE, '200'))
      return { ...result, ...page, message: ANONYMOUS_MESSAGE }
    },
  )

  app.post(
    '/item',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'createItem',
        summary: 'Create an item in a store',
        description:
          'The new id comes from the items counter and skips ids already taken (by `PUT /item/{id}`), wrapping ' +
          'around after 2147483647: no id a client picks can stop creation.',
        tags: ['items'],
        body: ref(ItemCreate),
        response: {
          201: created(Item, 'The item was created; `Location` names it.', '/item/{id}'),
          ...errors({
            400: INVALID,
            404: 'not_found: the store does not exist.',
            409: 'conflict: the store has an item of that name (any case), or every item id from 1 to 2147483647 is in use.',
          }),
        },
      },
    },
    async (request, reply) => {
      const item = await repo.create(request.body)
      return reply.code(201).header('location', `/item/${item.id}`).send(item)
    },
  )

  app.get(
    '/item/:id',
    {
      config: { auth: 'access' },
      schema: {
        operationId: 'getItem',
        summary: 'Get an item',
        tags: ['items'],
        params: IdParam,
        response: { 200: success(Item, 'The item.'), ...errors({ 400: INVALID, 404: 'not_found.' }) },
      },
    },
    async (request) => {
      const item = await repo.get(request.params.id)
      if (!item) throw notFound('Item')
      return item
    },
  )

  app.put(
    '/item/:id',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'putItem',
        summary: 'Update an item, or create it with this id',
        description:
          'Updates name and price (and moves it when `store_id` is given): 200. When no item has this id it is ' +
          'created with it: 201, and then `store_id` is required (400 without).',
        tags: ['items'],
        params: IdParam,
        body: ref(ItemPut),
        response: {
          200: success(Item, 'The item was updated.'),
          201: created(Item, 'No item had this id: it was created with it; `Location` names it.', '/item/{id}'),
          ...errors({
            400: `${INVALID} Also when creating without store_id.`,
            404: 'not_found: the store does not exist.',
            409: 'conflict: the store has another item of that name (any case).',
          }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const result = await repo.put(id, request.body)
      if (!result) throw badRequest('store_id is required to create an item.', '/store_id')
      if (!result.created) return result.item
      return reply.code(201).header('location', `/item/${id}`).send(result.item)
    },
  )

  app.delete(
    '/item/:id',
    {
      config: { auth: 'admin+fresh' },
      schema: {
        operationId: 'deleteItem',
        summary: 'Delete an item',
        tags: ['items'],
        params: IdParam,
        response: { 200: success(Message, 'The item is deleted.'), ...errors({ 400: INVALID, 404: 'not_found.' }) },
      },
    },
    async (request) => {
      if (!(await repo.delete(request.params.id))) throw notFound('Item')
      return { message: 'Item deleted.' }
    },
  )
}
export default items
