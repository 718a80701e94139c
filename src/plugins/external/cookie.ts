import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'

/** Cookie parsing and setting, used only in cookie mode (JWT_TOKEN_LOCATION=headers,cookies). */
export default fp(
  async (app) => {
    await app.register(cookie)
  },
  { name: 'cookie' },
)
