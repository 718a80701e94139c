import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Message, PageQuery, pageOf, ref } from '../../schemas/common.js'
import { PasswordChange, SessionIdParam, SessionsPage } from '../../schemas/auth.js'
import { User } from '../../schemas/user.js'
import { HttpError, notFound } from '../http/errors.js'
import { publicSession, publicUser } from '../repositories/mapping.js'
import { audit } from '../audit.js'
import { INVALID, errors, success } from '../http/responses.js'

const me: FastifyPluginAsyncTypebox = async (app) => {
  const { users, sessions } = app.repos

  app.get(
    '/me',
    {
      config: { auth: 'access' },
      schema: { operationId: 'getMe', summary: 'The signed-in user', tags: ['me'], response: { 200: success(User, 'The user the access token belongs to.') } },
    },
    async (request) => publicUser(request.user),
  )

  app.get(
    '/me/sessions',
    {
      config: { auth: 'access' },
      schema: {
        operationId: 'listMySessions',
        summary: 'My active sessions',
        description: 'Sessions not yet revoked or expired, most recently used first; `current` marks the caller’s.',
        tags: ['me'],
        querystring: PageQuery,
        response: { 200: success(SessionsPage, 'A page of my active sessions.'), ...errors({ 400: INVALID }) },
      },
    },
    async (request) => {
      const page = pageOf(request.query)
      const { rows, total } = await sessions.listForUser(request.user.id, new Date(), page.limit, page.offset)
      return { data: rows.map((row) => publicSession(row, request.token!.sid)), total, ...page }
    },
  )

  app.delete(
    '/me/sessions/:sid',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'revokeMySession',
        summary: 'Revoke one of my sessions',
        description: 'Ends the session: its access and refresh tokens stop working. The current session may be revoked too.',
        tags: ['me'],
        params: SessionIdParam,
        response: {
          200: success(Message, 'The session is revoked.'),
          ...errors({ 400: INVALID, 404: 'not_found: no such active session of yours.' }),
        },
      },
    },
    async (request) => {
      const { sid } = request.params
      if (!(await sessions.revoke(sid, request.user.id))) throw notFound('Session')
      audit(request, 'session_revoked', { user_id: request.user.id, session_id: sid, by_session: request.token!.sid })
      return { message: 'Session revoked.' }
    },
  )

  app.put(
    '/me/password',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'changeMyPassword',
        summary: 'Change my password',
        description: 'Checks the current password, sets the new one and revokes every other session (this one stays).',
        tags: ['me'],
        body: ref(PasswordChange),
        response: {
          200: success(Message, 'The password is changed; every other session is revoked.'),
          ...errors({ 400: INVALID, 403: 'invalid_credentials: the current password is wrong; nothing changed.' }),
        },
      },
    },
    async (request) => {
      const { current_password, new_password } = request.body
      if (!(await app.passwords.verify(request.user.passwordHash, current_password))) {
        throw new HttpError(403, 'invalid_credentials', 'The current password is wrong.')
      }
      await users.setPasswordHash(request.user.id, await app.passwords.hash(new_password))
      const revoked = await sessions.revokeAllForUser(request.user.id, request.token!.sid)
      audit(request, 'password_changed', { user_id: request.user.id, session_id: request.token!.sid, revoked_sessions: revoked })
      return { message: 'Password changed; other sessions ended.' }
    },
  )
}
export default me
