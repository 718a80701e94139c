import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'

/** Cookie parsing and setting, used only in cookie mode (JWT_TOKEN_LOCATION=headers,cookies, the default). */
export default fp(
  async (app) => {
    // Cookies are read and set in cookie mode only; with JWT_TOKEN_LOCATION=headers the plugin's
    // two hooks would parse every request's Cookie header and look at every reply for nothing.
    if (app.config.cookies) await app.register(cookie)
  },
  { name: 'cookie', dependencies: ['config'] },
)
