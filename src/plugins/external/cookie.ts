import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'

/** Cookie parsing and setting, used only in cookie mode (JWT_TOKEN_LOCATION=headers,cookies, the default). */
export default fp(
  async (app) => {
    // Cookies are read and set in cookie mode only. No parsing hook: the auth plugin parses the
    // Cookie header itself, when a route needs a token and no Authorization header came.
    if (app.config.cookies) await app.register(cookie, { hook: false })
  },
  { name: 'cookie', dependencies: ['config'] },
)
