import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { randomBytes, randomUUID } from 'node:crypto'
import type { TokenClaims, TokenPair } from '../../../schemas/auth.js'
import { COOKIES, CSRF_PATH } from '../../auth/cookies.js'
import { replayDetected, withinReuseInterval } from '../../auth/replay.js'
import { isAdmin } from '../../repositories/mapping.js'
import type { UserRow } from '../../repositories/types.js'

export interface Tokens {
  /** Opens a session (one per login) and returns a fresh token pair. */
  login(user: UserRow, userAgent: string | undefined, reply: FastifyReply): Promise<TokenPair & { sid: string }>
  /**
   * Rotates the session's refresh token and returns a non-fresh pair. A refresh token that is no
   * longer the session's current one is a replay: the session is revoked (401), unless it is the
   * one just retired within JWT_REFRESH_REUSE_INTERVAL (`reused`: the current one is returned).
   */
  refresh(claims: TokenClaims, user: UserRow, reply: FastifyReply): Promise<TokenPair & { reused: boolean }>
  clearCookies(reply: FastifyReply): void
}

function createTokens(app: FastifyInstance): Tokens {
  const { config } = app
  const { sessions } = app.repos
  const csrf = () => (config.cookies ? randomBytes(24).toString('base64url') : undefined)

  function sign(claims: TokenClaims) {
    return app.keys.sign(claims)
  }

  /** `at`: the instant the lifetimes count from (a login's, so that its session lasts exactly its TTL). */
  function issue(user: UserRow, sid: string, refreshJti: string, sessionExpiresAt: Date, fresh: boolean, reply: FastifyReply, at = Date.now()) {
    const now = Math.floor(at / 1000)
    const sessionExp = Math.floor(sessionExpiresAt.getTime() / 1000)
    // No token outlives its session.
    const accessExp = Math.min(now + config.accessTokenTtl, sessionExp)
    const common = {
      sub: String(user.id),
      sid,
      iat: now,
      nbf: now,
      is_admin: isAdmin(user),
      roles: user.roles,
      ...(config.jwtIssuer === undefined ? {} : { iss: config.jwtIssuer }),
      ...(config.jwtAudience === undefined ? {} : { aud: config.jwtAudience }),
    }
    const csrfAccess = csrf()
    const csrfRefresh = csrf()
    const access = sign({ ...common, type: 'access', fresh, jti: randomUUID(), exp: accessExp, csrf: csrfAccess })
    const refresh = sign({ ...common, type: 'refresh', jti: refreshJti, exp: sessionExp, csrf: csrfRefresh })
    if (config.cookies) {
      setPair(reply, 'access', access, csrfAccess, accessExp - now)
      setPair(reply, 'refresh', refresh, csrfRefresh, sessionExp - now)
    }
    reply.header('cache-control', 'no-store')
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer' as const,
      expires_in: accessExp - now,
      refresh_expires_in: sessionExp - now,
    }
  }

  // Cleared with the attributes they were set with: a browser keeps a Secure cookie that a
  // Set-Cookie without Secure tries to replace.
  const attributes = { sameSite: 'lax' as const, secure: config.cookieSecure }

  function setPair(reply: FastifyReply, kind: keyof typeof COOKIES, token: string, csrfValue: string | undefined, maxAge: number) {
    const { name, csrf: csrfName, path } = COOKIES[kind]
    reply.setCookie(name, token, { ...attributes, path, maxAge, httpOnly: true })
    reply.setCookie(csrfName, csrfValue ?? '', { ...attributes, path: CSRF_PATH, maxAge, httpOnly: false })
  }

  return {
    async login(user, userAgent, reply) {
      const now = new Date()
      const sid = randomUUID()
      const refreshJti = randomUUID()
      const expiresAt = new Date(now.getTime() + config.refreshTokenTtl * 1000)
      await sessions.create({
        id: sid,
        userId: user.id,
        refreshJti,
        previousRefreshJti: null,
        rotatedAt: null,
        // NUL cannot be stored in PostgreSQL text: it is kept as U+FFFD on both databases.
        userAgent: userAgent?.slice(0, 512).replaceAll('\0', '\uFFFD') ?? null,
        createdAt: now,
        lastUsedAt: now,
        expiresAt,
      })
      return { ...issue(user, sid, refreshJti, expiresAt, true, reply, now.getTime()), sid }
    },

    async refresh(claims, user, reply) {
      const nextJti = randomUUID()
      // A refresh token's expiry is its session's expiry.
      const sessionEnd = new Date(claims.exp * 1000)
      if (await sessions.rotate(claims.sid, claims.jti, nextJti, new Date())) {
        return { ...issue(user, claims.sid, nextJti, sessionEnd, false, reply), reused: false }
      }
      // Not the current token (any more): the one just retired gets the session's current one
      // within the reuse interval (also the loser of two refreshes at once); otherwise, theft.
      const session = (await sessions.authLookup(user.id, claims.sid))?.session
      if (session && withinReuseInterval(session, claims.jti, Date.now(), config.refreshReuseInterval)) {
        return { ...issue(user, claims.sid, session.refreshJti, sessionEnd, false, reply), reused: true }
      }
      throw await replayDetected(reply.request, sessions, user.id, claims.sid)
    },

    clearCookies(reply) {
      if (!config.cookies) return
      for (const { name, csrf: csrfName, path } of Object.values(COOKIES)) {
        reply.clearCookie(name, { ...attributes, path, httpOnly: true })
        reply.clearCookie(csrfName, { ...attributes, path: CSRF_PATH })
      }
    },
  }
}

export default fp(
  async (app) => {
    app.decorate('tokens', createTokens(app))
  },
  { name: 'tokens', dependencies: ['config', 'db', 'keys', 'cookie'] },
)
