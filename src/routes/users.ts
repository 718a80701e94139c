import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { onRequestHookHandler } from 'fastify'
import { IdParam, MAX_ID, Message, PageQuery, pageOf, ref } from '../../schemas/common.js'
import { User, UserUpdate, UsersPage } from '../../schemas/user.js'
import { notFound } from '../http/errors.js'
import { publicUser } from '../repositories/mapping.js'
import type { UsersRepository } from '../repositories/types.js'
import { audit } from '../audit.js'
import { INVALID, errors, success } from '../http/responses.js'

/**
 * A missing user is a 404 before the body is read and validated (the order of checks: 404
 * before 400). Runs after the auth hook; an id that is not an id is left to validation.
 */
function userMustExist(repo: UsersRepository): onRequestHookHandler {
  return async (request) => {
    const id = Number((request.params as { id: string }).id)
    if (Number.isInteger(id) && id >= 1 && id <= MAX_ID && !(await repo.findById(id))) throw notFound('User')
  }
}

const users: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.repos.users
  const { sessions } = app.repos

  app.get(
    '/users',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listUsers',
        summary: 'List users',
        tags: ['users'],
        querystring: PageQuery,
        response: { 200: success(UsersPage, 'A page of users, ordered by id.'), ...errors({ 400: INVALID }) },
      },
    },
    async (request) => {
      const page = pageOf(request.query)
      const { rows, total } = await repo.list(page.limit, page.offset)
      return { data: rows.map(publicUser), total, ...page }
    },
  )

  app.get(
    '/user/:id',
    {
      config: { auth: 'self' },
      schema: {
        operationId: 'getUser',
        summary: 'Get a user',
        description: 'Your own account, or any account for an admin.',
        tags: ['users'],
        params: IdParam,
        response: {
          200: success(User, 'The user.'),
          ...errors({ 400: INVALID, 404: 'not_found.' }),
        },
      },
    },
    async (request) => {
      const row = await repo.findById(request.params.id)
      if (!row) throw notFound('User')
      return publicUser(row)
    },
  )

  app.patch(
    '/user/:id',
    {
      config: { auth: 'admin+fresh' },
      onRequest: userMustExist(repo),
      schema: {
        operationId: 'updateUser',
        summary: 'Change roles or active flag',
        description:
          'Deactivating a user revokes all their sessions; a demoted admin loses admin rights on their next request. ' +
          'The last active admin cannot be demoted or deactivated (409).',
        tags: ['users'],
        params: IdParam,
        body: ref(UserUpdate),
        response: {
          200: success(User, 'The user as updated.'),
          ...errors({ 400: INVALID, 404: 'not_found.', 409: 'conflict: that would leave no active admin.' }),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      const { roles, is_active } = request.body
      const row = await repo.update(id, { roles, isActive: is_active })
      if (!row) throw notFound('User')
      const revoked = row.isActive ? 0 : await sessions.revokeAllForUser(id)
      audit(request, 'user_updated', {
        user_id: request.user.id,
        session_id: request.token!.sid,
        target_user_id: id,
        roles: row.roles,
        is_active: row.isActive,
        revoked_sessions: revoked,
      })
      return publicUser(row)
    },
  )

  app.delete(
    '/user/:id',
    {
      config: { auth: 'self+fresh' },
      schema: {
        operationId: 'deleteUser',
        summary: 'Delete a user',
        description: 'Your own account, or any account for an admin. Their tokens stop working at once. The last active admin cannot be deleted (409).',
        tags: ['users'],
        params: IdParam,
        response: {
          200: success(Message, 'The user is deleted.'),
          ...errors({ 400: INVALID, 404: 'not_found.', 409: 'conflict: that would leave no active admin.' }),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      if (!(await repo.delete(id))) throw notFound('User')
      audit(request, 'user_deleted', { user_id: request.user.id, session_id: request.token!.sid, target_user_id: id })
      return { message: 'User deleted.' }
    },
  )
}
export default users
