import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, RouteOptions, onRequestHookHandler } from 'fastify'
import { timingSafeEqual } from 'node:crypto'
import { REQUIREMENTS, type TokenLevel } from '../../auth/levels.js'
import { COOKIES } from '../../auth/cookies.js'
import { bearerToken } from '../../auth/bearer.js'
import { tokenHolder } from '../../auth/holder.js'
import { introspectionGuard } from '../../auth/introspection.js'
import { replayDetected, withinReuseInterval } from '../../auth/replay.js'
import { authError } from '../../http/challenge.js'
import { HttpError, forbidden } from '../../http/errors.js'
import { isAdmin } from '../../repositories/mapping.js'

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const TOUCH_AFTER_MS = 60_000

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The onRequest hook of one level: finds and verifies the token, loads the user, checks the level. */
function authenticator(app: FastifyInstance, level: TokenLevel): onRequestHookHandler {
  const want = REQUIREMENTS[level]
  const { config } = app
  const { sessions } = app.repos

  function findToken(request: FastifyRequest) {
    const token = bearerToken(request)
    if (token !== undefined) return { token, viaCookie: false }
    const header = request.headers.cookie
    if (config.cookies && header) {
      const token = app.parseCookie(header)[want.type === 'refresh' ? COOKIES.refresh.name : COOKIES.access.name]
      if (token) return { token, viaCookie: true }
    }
    return undefined
  }

  return async function authenticate(request) {
    const found = findToken(request)
    if (!found) {
      if (want.optional) return
      throw authError('authorization_required', 'This route needs an access token.', false)
    }
    // Synchronous but for a kid this instance has not loaded yet (a key another one just made).
    const claims = app.keys.verify(found.token) ?? (await app.keys.verifyAfterReload(found.token))
    if (found.viaCookie && STATE_CHANGING.has(request.method)) {
      const sent = request.headers['x-csrf-token']
      if (typeof sent !== 'string' || !claims.csrf || !safeEqual(sent, claims.csrf)) {
        throw authError('csrf_mismatch', 'Cookie-authenticated changes need the matching X-CSRF-Token header.', true)
      }
    }
    const now = Date.now()
    const row = await tokenHolder(sessions, claims, now)
    const session = row.session
    if (row.retired) {
      if (want.type !== 'refresh') throw authError('token_revoked', 'This refresh token has been retired.', true)
      // Presenting a retired refresh token for use is token theft (ending the whole session),
      // unless it is the one just retired, within the reuse interval: /refresh answers that.
      if (!withinReuseInterval(session, claims.jti, now, config.refreshReuseInterval)) {
        throw await replayDetected(request, sessions, row.user.id, claims.sid)
      }
    }
    if (claims.type !== want.type) {
      throw authError('wrong_token_type', `This route needs ${want.type === 'access' ? 'an access' : 'a refresh'} token.`, true)
    }
    if (want.fresh && !(claims.type === 'access' && claims.fresh)) {
      throw authError('fresh_token_required', 'This route needs a fresh token: log in again.', true)
    }
    if (want.admin && !isAdmin(row.user)) throw new HttpError(403, 'admin_required', 'This route is for admins.')
    // Before the body and the id are validated: whose account it is decides first.
    if (want.self && !isAdmin(row.user) && Number((request.params as { id?: string }).id) !== row.user.id) {
      throw forbidden('You may only act on your own account.')
    }
    request.user = row.user
    request.token = claims
    if (now - session.lastUsedAt.getTime() > TOUCH_AFTER_MS) await sessions.touch(claims.sid, new Date(now))
  }
}

/** Enforces each route's one `config.auth` declaration with an onRequest hook (before the body is read). */
export default fp(
  async (app) => {
    app.decorateRequest('token', null)
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.schema?.hide) return
      const level = route.config?.auth
      if (!level) throw new Error(`${String(route.method)} ${route.url} must declare config.auth`)
      if (level === 'public') return
      const existing = route.onRequest ? [route.onRequest].flat() : []
      const guard = level === 'introspection' ? introspectionGuard(app.config.introspectionToken) : authenticator(app, level)
      route.onRequest = [guard, ...existing]
    })
  },
  { name: 'auth', dependencies: ['config', 'db', 'jwt', 'keys', 'cookie'] },
)
