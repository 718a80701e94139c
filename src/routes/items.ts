import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParam, Message, pageOf, ref } from '../../schemas/common.js'
import { Item, ItemCreate, ItemPut, ItemQuery, ItemSummariesPage, ItemsPage } from '../../schemas/item.js'
import { badRequest, notFound } from '../errors.js'
import { INVALID, errors } from './responses.js'

const ANONYMOUS_MESSAGE = 'Log in to see prices and stores.'

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
        response: { 200: Type.Union([ref(ItemsPage), ref(ItemSummariesPage)]), ...errors({ 400: INVALID }) },
      },
    },
    async (request) => {
      const page = pageOf(request.query)
      const { data, total } = await repo.list({ ...request.query, ...page })
      if (request.token) return { data, total, ...page }
      return { data: data.map(({ id, name }) => ({ id, name })), total, ...page, message: ANONYMOUS_MESSAGE }
    },
  )

  app.post(
    '/item',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'createItem',
        summary: 'Create an item in a store',
        tags: ['items'],
        body: ref(ItemCreate),
        response: {
          201: { ...ref(Item), description: 'Created; `Location` names the new item.' },
          ...errors({
            400: INVALID,
            404: 'not_found: the store does not exist.',
            409: 'conflict: the store has an item of that name (any case).',
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
        response: { 200: ref(Item), ...errors({ 400: INVALID, 404: 'not_found.' }) },
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
          200: { ...ref(Item), description: 'Updated.' },
          201: { ...ref(Item), description: 'Created with this id; `Location` names it.' },
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
        response: { 200: ref(Message), ...errors({ 400: INVALID, 404: 'not_found.' }) },
      },
    },
    async (request) => {
      if (!(await repo.delete(request.params.id))) throw notFound('Item')
      return { message: 'Item deleted.' }
    },
  )
}
export default items
