import fp from 'fastify-plugin'
import type { RouteOptions } from 'fastify'
import { LEVEL_TEXT, REQUIREMENTS, type AuthLevel } from '../../auth/levels.js'
import { errorResponse } from '../../http/responses.js'

/** What a level puts in the operation: its `security` and the 401/403 it can answer. */
function documentation(level: AuthLevel) {
  if (level === 'introspection') {
    const codes = 'authorization_required (no credential), invalid_header, invalid_token (not the introspection credential)'
    return { security: [{ introspectionAuth: [] }], responses: { 401: errorResponse(`Not authenticated: ${codes}.`) } }
  }
  const req = level === 'public' ? undefined : REQUIREMENTS[level]
  const cookieScheme = req?.type === 'refresh' ? 'refreshCookieAuth' : 'cookieAuth'
  const security = !req ? [] : req.optional ? [{ bearerAuth: [] }, {}] : [{ bearerAuth: [] }, { [cookieScheme]: [] }]
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
    responses[401] = errorResponse(`Not authenticated: ${codes.join(', ')}.`)
  }
  if (req?.admin) responses[403] = errorResponse('admin_required: the user is not an admin.')
  if (req?.self) responses[403] = errorResponse('forbidden: not your account, and you are not an admin.')
  return { security, responses }
}

/** Documents each route's `config.auth` in OpenAPI: the level in words, `security`, and its 401/403. */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const level = route.config?.auth
      if (route.schema?.hide || !level) return
      const { security, responses } = documentation(level)
      const schema = route.schema ?? {}
      route.schema = {
        ...schema,
        description: [schema.description, `**Auth:** ${LEVEL_TEXT[level]}`].filter(Boolean).join('\n\n'),
        security,
        response: { ...responses, ...(schema.response as object) },
      }
    })
  },
  { name: 'auth-openapi' },
)
