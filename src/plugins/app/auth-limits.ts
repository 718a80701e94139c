import fp from 'fastify-plugin'
import type { FastifyRequest, RouteOptions, onRequestHookHandler } from 'fastify'
import { HttpError } from '../../http/errors.js'
import { errorResponse } from '../../http/responses.js'
import { nameKey } from '../../repositories/mapping.js'

/** What a rate-limited route counts: attempts per client address, per login name, per email asked about. */
export type AttemptKey = 'address' | 'login' | 'email'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counts attempts (AUTH_RATE_LIMIT a minute) by these keys; 429 past the limit. */
    attempts?: AttemptKey[]
  }
}

function loginName(request: FastifyRequest): string {
  const body = request.body as { username?: unknown; email?: unknown } | undefined
  const name = body?.username ?? body?.email
  return typeof name === 'string' ? nameKey(name) : ''
}

function emailField(request: FastifyRequest): string {
  const email = (request.body as { email?: unknown } | undefined)?.email
  return typeof email === 'string' ? nameKey(email) : ''
}

const KEYS: Record<AttemptKey, (request: FastifyRequest) => string> = {
  address: (request) => request.ip,
  login: loginName,
  email: emailField,
}

const KEY_TEXT: Record<AttemptKey, string> = { address: 'client address', login: 'login name', email: 'email address' }

/**
 * Fixed one-minute windows of AUTH_RATE_LIMIT attempts on the routes that declare
 * `config.attempts` (`/login`, `/register`). The address is counted before the body is read
 * (onRequest), the login name once it is parsed (preHandler).
 */
export default fp(
  async (app) => {
    const max = app.config.authRateLimit
    app.addHook('onRoute', (route: RouteOptions) => {
      const keys = route.config?.attempts
      if (!keys?.length) return
      // Documented whatever the configured limit, so the spec does not depend on the deployment.
      const schema = route.schema ?? {}
      const per = keys.map((k) => KEY_TEXT[k]).join(' and per ')
      route.schema = {
        ...schema,
        response: {
          ...(schema.response as object),
          429: errorResponse(`too_many_requests: over AUTH_RATE_LIMIT attempts (default 10) a minute per ${per}; see Retry-After.`),
        },
      }
      if (max === 0) return
      for (const key of keys) {
        const limiter = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: (req) => `${route.url}:${key}:${KEYS[key](req)}` })
        const hook: onRequestHookHandler = async (request, reply) => {
          const result = await limiter(request)
          if (result.isAllowed || !result.isExceeded) return
          const retryAfter = String(Math.max(1, result.ttlInSeconds ?? 60))
          reply.header('x-ratelimit-limit', max)
          throw new HttpError(429, 'too_many_requests', `Too many attempts; try again in ${retryAfter} seconds.`, {
            'retry-after': retryAfter,
          })
        }
        const phase = key === 'address' ? 'onRequest' : 'preHandler'
        route[phase] = [...(route[phase] ? [route[phase]].flat() : []), hook] as never
      }
    })
  },
  { name: 'auth-limits', dependencies: ['config', 'rate-limit'] },
)
