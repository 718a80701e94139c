import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, RouteOptions, onRequestHookHandler } from 'fastify'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { timingSafeEqual } from 'node:crypto'
import { TokenClaims } from '../../../schemas/auth.js'
import { REQUIREMENTS, type AuthLevel } from '../../auth/levels.js'
import { COOKIES } from '../../auth/cookies.js'
import { replayDetected, withinReuseInterval } from '../../auth/replay.js'
import { verifiedTokens } from '../../auth/verified-tokens.js'
import { authError } from '../../http/challenge.js'
import { HttpError, forbidden } from '../../http/errors.js'
import { isAdmin } from '../../repositories/mapping.js'

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const TOUCH_AFTER_MS = 60_000
const BEARER = /^Bearer +([^\s]+) *$/i
const HS256_SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/
const claimsCheck = TypeCompiler.Compile(TokenClaims)

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** How many Authorization headers the request has (Node joins repeated ones into one value). */
function authorizationHeaders(raw: string[]) {
  let count = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++
  }
  return count
}

/** The onRequest hook of one level: finds and verifies the token, loads the user, checks the level. */
function authenticator(app: FastifyInstance, level: Exclude<AuthLevel, 'public'>): onRequestHookHandler {
  const want = REQUIREMENTS[level]
  const { config } = app
  const { sessions } = app.repos
  const verified = verifiedTokens(config.jwtLeeway)

  function findToken(request: FastifyRequest) {
    const header = request.headers.authorization
    if (header !== undefined) {
      const match = authorizationHeaders(request.raw.rawHeaders) === 1 ? BEARER.exec(header) : null
      if (!match?.[1]) throw authError('invalid_header', 'Expected exactly one "Authorization: Bearer <token>" header.', true)
      return { token: match[1], viaCookie: false }
    }
    if (config.cookies) {
      const token = request.cookies[want.type === 'refresh' ? COOKIES.refresh.name : COOKIES.access.name]
      if (token) return { token, viaCookie: true }
    }
    return undefined
  }

  function verify(token: string): TokenClaims {
    const seen = verified.get(token, Math.floor(Date.now() / 1000))
    if (seen) return seen
    // fast-jwt decodes the signature leniently: with its 2 spare bits set, one token would have
    // four accepted spellings. Only the canonical base64url form is a well-formed JWT: for
    // HS256's 32 bytes, 43 characters whose last one leaves those 2 bits at zero.
    if (!HS256_SIGNATURE.test(token.slice(token.lastIndexOf('.') + 1))) {
      throw authError('invalid_token', 'The token is not valid.', true)
    }
    let payload: unknown
    try {
      payload = app.jwt.verify(token)
    } catch (err) {
      if ((err as { code?: string }).code === 'FAST_JWT_EXPIRED') throw authError('token_expired', 'The token has expired.', true)
      throw authError('invalid_token', 'The token is not valid.', true)
    }
    if (!claimsCheck.Check(payload)) {
      throw authError('invalid_token', 'The token lacks a required claim or has one of the wrong type.', true)
    }
    verified.set(token, payload)
    return payload
  }

  return async function authenticate(request) {
    const found = findToken(request)
    if (!found) {
      if (want.optional) return
      throw authError('authorization_required', 'This route needs an access token.', false)
    }
    const claims = verify(found.token)
    if (found.viaCookie && STATE_CHANGING.has(request.method)) {
      const sent = request.headers['x-csrf-token']
      if (typeof sent !== 'string' || !claims.csrf || !safeEqual(sent, claims.csrf)) {
        throw authError('csrf_mismatch', 'Cookie-authenticated changes need the matching X-CSRF-Token header.', true)
      }
    }
    const row = await sessions.authLookup(Number(claims.sub), claims.sid)
    if (!row) throw authError('user_not_found', 'The user of this token no longer exists.', true)
    if (!row.user.isActive) throw authError('user_inactive', 'The user of this token is deactivated.', true)
    const now = Date.now()
    const session = row.session
    if (!session || session.expiresAt.getTime() <= now) {
      throw authError('token_revoked', 'The token has been revoked.', true)
    }
    if (claims.type === 'refresh' && session.refreshJti !== claims.jti) {
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
      route.onRequest = [authenticator(app, level), ...existing]
    })
  },
  { name: 'auth', dependencies: ['config', 'db', 'jwt', 'cookie'] },
)
