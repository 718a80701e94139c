import type { Config } from './config.js'
import type { DbHandle } from './db/connect.js'
import type { Repositories, UserRow } from './repositories/types.js'
import type { Passwords } from './plugins/app/passwords.js'
import type { Tokens } from './plugins/app/tokens.js'
import type { Keys } from './keys/index.js'
import type { AuthLevel } from './auth/levels.js'
import type { TokenClaims } from '../schemas/auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config & { jwtSecret: string }
    db: DbHandle
    repos: Repositories
    passwords: Passwords
    tokens: Tokens
    keys: Keys
  }
  interface FastifyRequest {
    /** Claims of the verified token; null on public routes and anonymous optional calls. */
    token: TokenClaims | null
  }
  interface FastifyContextConfig {
    /** The route's one auth declaration: enforcement and OpenAPI both follow from it. */
    auth?: AuthLevel
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    /** The caller's current user record, loaded once per request by the auth plugin. */
    user: UserRow
  }
}
