import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ref, Message } from '../../schemas/common.js'
import { LoginRequest, LogoutAll, TokenPair } from '../../schemas/auth.js'
import { User, UserCreate } from '../../schemas/user.js'
import { HttpError, badRequest } from '../http/errors.js'
import { EMAIL_UNVERIFIED, emailUnverified, mayHoldSession } from '../auth/email-verification.js'
import { publicUser } from '../repositories/mapping.js'
import { audit } from '../audit.js'
import { INVALID, created, errors, success } from '../http/responses.js'

const NO_STORE = 'Token responses carry `Cache-Control: no-store`.'

const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { users, sessions } = app.repos

  app.post(
    '/register',
    {
      config: { auth: 'public', attempts: ['address'] },
      schema: {
        operationId: 'register',
        summary: 'Create an account',
        description:
          'The first account is an admin (roles `admin`, `user`) unless FIRST_USER_IS_ADMIN=false; later ones get `user`. ' +
          'Fields a client may not set (id, roles, is_admin, is_active, created_at) are rejected with 400. ' +
          'With an email, a verification mail is sent; with EMAIL_VERIFICATION=required the email is required (400 without).',
        tags: ['auth'],
        body: ref(UserCreate),
        response: {
          201: created(User, 'The account was created; `Location` names it.', '/user/{id}'),
          ...errors({ 400: INVALID, 409: 'conflict: the username or email is taken.' }),
        },
      },
    },
    async (request, reply) => {
      const { username, password, email } = request.body
      if (email === undefined && app.config.emailVerification === 'required') {
        throw badRequest('An email is required: EMAIL_VERIFICATION=required.', '/email')
      }
      const row = await users.create({
        username,
        ...(email === undefined ? {} : { email }),
        passwordHash: await app.passwords.hash(password),
        firstUserIsAdmin: app.config.firstUserIsAdmin,
      })
      audit(request, 'user_registered', { user_id: row.id })
      if (row.email) await app.mail.sendVerification(request, { ...row, email: row.email })
      return reply.code(201).header('location', `/user/${row.id}`).send(publicUser(row))
    },
  )

  app.post(
    '/login',
    {
      config: { auth: 'public', attempts: ['address', 'login'] },
      schema: {
        operationId: 'login',
        summary: 'Log in: open a session',
        description: `Returns a fresh access token and a refresh token for a new session. ${NO_STORE} In cookie mode also sets the token and CSRF cookies.`,
        tags: ['auth'],
        body: ref(LoginRequest),
        response: {
          200: success(TokenPair, 'Logged in: a fresh access token and a refresh token for the new session.'),
          ...errors({
            400: INVALID,
            401: 'invalid_credentials: wrong username, email or password (one answer for all).',
            403: `user_inactive: right password, deactivated account. Or ${EMAIL_UNVERIFIED}`,
          }),
        },
      },
    },
    async (request, reply) => {
      const { password } = request.body
      const user = await users.findByLogin('username' in request.body ? request.body.username : request.body.email)
      // Unknown users cost one argon2 verification too, against a dummy hash.
      const ok = await app.passwords.verify(user?.passwordHash, password)
      if (!user || !ok) {
        audit(request, 'login_failed', { user_id: user?.id, reason: user ? 'wrong_password' : 'unknown_user' })
        throw new HttpError(401, 'invalid_credentials', 'Wrong username, email or password.')
      }
      if (!user.isActive) {
        audit(request, 'login_failed', { user_id: user.id, reason: 'inactive' })
        throw new HttpError(403, 'user_inactive', 'This account is deactivated.')
      }
      if (!mayHoldSession(app.config, user)) {
        audit(request, 'login_failed', { user_id: user.id, reason: 'email_unverified' })
        throw emailUnverified()
      }
      if (app.passwords.needsRehash(user.passwordHash)) {
        await users.setPasswordHash(user.id, await app.passwords.hash(password))
      }
      const { sid, ...pair } = await app.tokens.login(user, request.headers['user-agent'], reply)
      audit(request, 'login_succeeded', { user_id: user.id, session_id: sid })
      return pair
    },
  )

  app.post(
    '/refresh',
    {
      config: { auth: 'refresh' },
      schema: {
        operationId: 'refresh',
        summary: 'Rotate the refresh token',
        description:
          `Returns a non-fresh access token and a new refresh token; the one presented is retired. ${NO_STORE} ` +
          'Presenting a retired refresh token again is treated as theft: the whole session is revoked (401 token_revoked). ' +
          'With `JWT_REFRESH_REUSE_INTERVAL` (seconds, default 0) the token the last rotation retired is accepted for that ' +
          "long after it: the answer is a new access token and the session's current refresh token (the same `jti`), so " +
          'two tabs refreshing at once, or a client that lost a response, keep their session; the trade-off is that a ' +
          'stolen copy used within the interval is not detected. With 0, of two concurrent refreshes with one token one ' +
          'succeeds and the other ends the session. Rotation never extends the session past its login + JWT_REFRESH_TOKEN_EXPIRES.',
        tags: ['auth'],
        response: { 200: success(TokenPair, 'A non-fresh access token and the rotated refresh token.'), ...errors({ 403: EMAIL_UNVERIFIED }) },
      },
    },
    async (request, reply) => {
      if (!mayHoldSession(app.config, request.user)) throw emailUnverified()
      const { reused, ...pair } = await app.tokens.refresh(request.token!, request.user, reply)
      audit(request, 'token_refreshed', { user_id: request.user.id, session_id: request.token!.sid, ...(reused && { within_reuse_interval: true }) })
      return pair
    },
  )

  app.post(
    '/logout',
    {
      config: { auth: 'access' },
      schema: {
        operationId: 'logout',
        summary: 'Log out of this session',
        description: 'Revokes this access token and every token of its session. In cookie mode also clears the cookies.',
        tags: ['auth'],
        response: { 200: success(Message, 'Logged out: this session is revoked.') },
      },
    },
    async (request, reply) => {
      const sid = request.token!.sid
      await sessions.revoke(sid)
      app.tokens.clearCookies(reply)
      audit(request, 'logout', { user_id: request.user.id, session_id: sid })
      return { message: 'Logged out.' }
    },
  )

  app.post(
    '/logout/all',
    {
      config: { auth: 'access' },
      schema: {
        operationId: 'logoutAll',
        summary: 'Log out of every session',
        description: 'Revokes every session of the user, this one included.',
        tags: ['auth'],
        response: { 200: success(LogoutAll, 'Every session of the user is revoked; `revoked_sessions` counts them.') },
      },
    },
    async (request, reply) => {
      const revoked = await sessions.revokeAllForUser(request.user.id)
      app.tokens.clearCookies(reply)
      audit(request, 'logout_all', { user_id: request.user.id, session_id: request.token!.sid, revoked_sessions: revoked })
      return { message: 'Logged out of every session.', revoked_sessions: revoked }
    },
  )
}
export default auth
