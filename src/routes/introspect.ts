import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ref } from '../../schemas/common.js'
import { Introspection, IntrospectionRequest } from '../../schemas/keys.js'
import { tokenHolder } from '../auth/holder.js'
import { HttpError, badRequest } from '../http/errors.js'
import { INVALID, errors, success } from '../http/responses.js'

const INACTIVE = { active: false } as const

/** An RFC 7662 form body. A parameter given twice is refused (RFC 6749 §3.2), not guessed at. */
function parseForm(text: string): Record<string, string> {
  // No prototype: a parameter named __proto__ is a field like any other (and an unknown one).
  const body: Record<string, string> = Object.create(null)
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(body, name)) throw badRequest(`The form gives "${name}" more than once.`, `/${name}`)
    body[name] = value
  }
  return body
}

const introspect: FastifyPluginAsyncTypebox = async (app) => {
  // Forms for this route alone: introspection clients send them. Elsewhere a form stays 415.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parseForm(text as string))
    } catch (err) {
      done(err as Error, undefined)
    }
  })

  app.post(
    '/introspect',
    {
      config: { auth: 'introspection' },
      schema: {
        operationId: 'introspectToken',
        summary: 'Is this token valid now? (RFC 7662)',
        description:
          'For other services: `active: true` only when this service would accept the token now: signature, expiry, ' +
          'session (not revoked, not ended), user (existing, active) and, for a refresh token, that it is its session\'s ' +
          'current one (a retired refresh token is inactive; introspecting it revokes nothing). Anything else, garbage ' +
          'included, is 200 `{ "active": false }`. `roles` and `username` are the user\'s current ones. The body is a ' +
          'form (`token=...`) or JSON; `token_type_hint` is accepted and ignored. Never cached (`Cache-Control: no-store`). ' +
          'This route exists only when INTROSPECTION_TOKEN is set: otherwise it is a 404 like any unknown route.',
        tags: ['keys'],
        body: { content: { 'application/x-www-form-urlencoded': { schema: ref(IntrospectionRequest) }, 'application/json': { schema: ref(IntrospectionRequest) } } },
        response: {
          200: success(Introspection, 'Whether the token is active, and if so what it says.'),
          ...errors({ 400: INVALID, 404: 'not_found: INTROSPECTION_TOKEN is not set.' }),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      // A schema per content type checks nothing when no body (so no Content-Type) is sent.
      const token = (request.body as IntrospectionRequest | undefined)?.token
      if (token === undefined) throw badRequest('The body must give the token: token=<jwt>, or {"token": "<jwt>"}.', '/token')
      try {
        const claims = app.keys.verify(token) ?? (await app.keys.verifyAfterReload(token))
        const { user, retired } = await tokenHolder(app.repos.sessions, claims, Date.now())
        if (retired) return INACTIVE
        const { sub, type, exp, iat, jti, sid, iss, aud } = claims
        return { active: true, sub, username: user.username, token_type: type, exp, iat, jti, sid, roles: user.roles, iss, aud }
      } catch (err) {
        // A 401 of the token check: this token would not be accepted now.
        if (err instanceof HttpError && err.statusCode === 401) return INACTIVE
        throw err
      }
    },
  )
}
export default introspect
