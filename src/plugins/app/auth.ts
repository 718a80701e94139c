import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, RouteOptions, onRequestHookHandler } from 'fastify'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { timingSafeEqual } from 'node:crypto'
import { TokenClaims } from '../../../schemas/auth.js'
import { ErrorBody } from '../../../schemas/error.js'
import { ref } from '../../../schemas/common.js'
import { HttpError } from '../../errors.js'
import { isAdmin } from '../../repositories/users.js'
import { authError } from './auth-errors.js'
import { COOKIES } from './tokens.js'

/**
 * The auth levels of API.md. A route states one in `config.auth`; this plugin derives the
 * enforcement hook, the OpenAPI `security` and the documented 401/403 responses from it.
 */
export type AuthLevel = 'public' | 'optional' | 'access' | 'fresh' | 'admin' | 'admin+fresh' | 'refresh'

interface Requirement {
  type: 'access' | 'refresh'
  optional?: boolean
  fresh?: boolean
  admin?: boolean
}

const REQUIREMENTS: Record<Exclude<AuthLevel, 'public'>, Requirement> = {
  optional: { type: 'access', optional: true },
  access: { type: 'access' },
  fresh: { type: 'access', fresh: true },
  admin: { type: 'access', admin: true },
  'admin+fresh': { type: 'access', admin: true, fresh: true },
  refresh: { type: 'refresh' },
}

const LEVEL_TEXT: Record<AuthLevel, string> = {
  public: 'Public: no token needed.',
  optional: 'Optional auth: works without a token; a token, if sent, must be a valid access token.',
  access: 'Needs a valid access token.',
  fresh: 'Needs a fresh access token (from `POST /login`, not `POST /refresh`).',
  admin: 'Needs an access token of a user with role `admin`.',
  'admin+fresh': 'Needs a fresh access token of a user with role `admin`.',
  refresh: 'Needs a refresh token (in the Authorization header, or the refresh cookie in cookie mode).',
}

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

function documentation(level: AuthLevel) {
  const req = level === 'public' ? undefined : REQUIREMENTS[level]
  const cookieScheme = req?.type === 'refresh' ? 'refreshCookieAuth' : 'cookieAuth'
  const security = !req
    ? []
    : req.optional
      ? [{ bearerAuth: [] }, {}]
      : [{ bearerAuth: [] }, { [cookieScheme]: [] }]
  const responses: Record<string, unknown> = {}
  if (req) {
    const codes = [
      ...(req.optional ? [] : ['authorization_required']),
      'invalid_header',
      'invalid_token',
      'token_expired',
      'token_revoked',
      'wrong_token_type',
      ...(req.fresh ? ['fresh_token_required'] : []),
      'user_not_found',
      'user_inactive',
      'csrf_mismatch (cookie mode only)',
    ]
    responses[401] = { ...ref(ErrorBody), description: `Not authenticated: ${codes.join(', ')}.` }
  }
  if (req?.admin) responses[403] = { ...ref(ErrorBody), description: 'admin_required: the user is not an admin.' }
  return { security, responses }
}

function authenticator(app: FastifyInstance, level: Exclude<AuthLevel, 'public'>): onRequestHookHandler {
  const want = REQUIREMENTS[level]
  const { config } = app
  const { sessions } = app.repos

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
      // Presenting a retired refresh token for use is token theft: end the whole session.
      if (want.type === 'refresh') throw await app.tokens.replayDetected(request, row.user.id, claims.sid)
      throw authError('token_revoked', 'This refresh token has been retired.', true)
    }
    if (claims.type !== want.type) {
      throw authError('wrong_token_type', `This route needs ${want.type === 'access' ? 'an access' : 'a refresh'} token.`, true)
    }
    if (want.fresh && !(claims.type === 'access' && claims.fresh)) {
      throw authError('fresh_token_required', 'This route needs a fresh token: log in again.', true)
    }
    if (want.admin && !isAdmin(row.user)) throw new HttpError(403, 'admin_required', 'This route is for admins.')
    request.user = row.user
    request.token = claims
    if (now - session.lastUsedAt.getTime() > TOUCH_AFTER_MS) await sessions.touch(claims.sid, new Date(now))
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('token', null)
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.schema?.hide) return
      const level = route.config?.auth
      if (!level) throw new Error(`${String(route.method)} ${route.url} must declare config.auth`)
      const { security, responses } = documentation(level)
      const schema = route.schema ?? {}
      route.schema = {
        ...schema,
        description: [schema.description, `**Auth:** ${LEVEL_TEXT[level]}`].filter(Boolean).join('\n\n'),
        security,
        response: { ...responses, ...(schema.response as object) },
      }
      if (level === 'public') return
      const existing = route.onRequest ? [route.onRequest].flat() : []
      route.onRequest = [authenticator(app, level), ...existing]
    })
  },
  { name: 'auth', dependencies: ['db', 'jwt'] },
)
