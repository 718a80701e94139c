import type { onRequestHookHandler } from 'fastify'
import { createHash, timingSafeEqual } from 'node:crypto'
import { authError } from '../http/challenge.js'
import { bearerToken } from './bearer.js'

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * The onRequest hook of the `introspection` level: `Authorization: Bearer <INTROSPECTION_TOKEN>`,
 * compared in constant time (as digests, so that not even its length shows). Without a
 * configured credential the route is absent: the same 404 as any unknown route.
 */
export function introspectionGuard(credential: string | undefined): onRequestHookHandler {
  const expected = credential === undefined ? undefined : digest(credential)
  return async function introspectionAuth(request, reply) {
    if (!expected) {
      reply.callNotFound()
      return reply
    }
    const presented = bearerToken(request)
    if (presented === undefined) throw authError('authorization_required', 'This route needs the introspection credential.', false)
    if (!timingSafeEqual(digest(presented), expected)) {
      throw authError('invalid_token', 'The introspection credential is not valid.', true)
    }
  }
}
