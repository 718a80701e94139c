import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import { verifyOptions } from '../../keys/verify-options.js'

/**
 * @fastify/jwt with verification pinned to HS256 and the checks of verify-options.ts. Tokens
 * are signed and verified by the key set (plugins/app/keys.ts, one verifier per kid); this
 * plugin stays for the request decorators and types it brings.
 */
export default fp(
  async (app) => {
    const { config } = app
    await app.register(fastifyJwt, {
      secret: config.jwtSecret,
      sign: { algorithm: 'HS256' },
      verify: { algorithms: ['HS256'], ...verifyOptions(config) },
    })
  },
  { name: 'jwt', dependencies: ['config'] },
)
