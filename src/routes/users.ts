import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { IdParam, Message, PageQuery, pageOf, ref } from '../../schemas/common.js'
import { User, UserUpdate, UsersPage } from '../../schemas/user.js'
import { forbidden, notFound } from '../http/errors.js'
import { isAdmin, publicUser } from '../repositories/mapping.js'
import { audit } from '../audit.js'
import { INVALID, errors, success } from '../http/responses.js'

/** Owner rule: a user may act on their own account; admins on any. */
function selfOrAdmin(request: FastifyRequest, id: number) {
  if (request.user.id !== id && !isAdmin(request.user)) throw forbidden('You may only act on your own account.')
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
      config: { auth: 'access' },
      schema: {
        operationId: 'getUser',
        summary: 'Get a user',
        description: 'Your own account, or any account for an admin.',
        tags: ['users'],
        params: IdParam,
        response: {
          200: success(User, 'The user.'),
          ...errors({ 400: INVALID, 403: 'forbidden: not your account and you are not an admin.', 404: 'not_found.' }),
        },
      },
    },
    async (request) => {
      selfOrAdmin(request, request.params.id)
      const row = await repo.findById(request.params.id)
      if (!row) throw notFound('User')
      return publicUser(row)
    },
  )

  app.patch(
    '/user/:id',
    {
      config: { auth: 'admin+fresh' },
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
      config: { auth: 'fresh' },
      schema: {
        operationId: 'deleteUser',
        summary: 'Delete a user',
        description: 'Your own account, or any account for an admin. Their tokens stop working at once. The last active admin cannot be deleted (409).',
        tags: ['users'],
        params: IdParam,
        response: {
          200: success(Message, 'The user is deleted.'),
          ...errors({
            400: INVALID,
            403: 'forbidden: not your account and you are not an admin.',
            404: 'not_found.',
            409: 'conflict: that would leave no active admin.',
          }),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      selfOrAdmin(request, id)
      if (!(await repo.delete(id))) throw notFound('User')
      audit(request, 'user_deleted', { user_id: request.user.id, session_id: request.token!.sid, target_user_id: id })
      return { message: 'User deleted.' }
    },
  )
}
export default users
