import type { FastifyRequest } from 'fastify'
import { audit } from '../audit.js'
import { authError } from '../http/challenge.js'
import type { HttpError } from '../http/errors.js'
import type { SessionsRepository } from '../repositories/types.js'

/**
 * A retired refresh token was presented: someone else holds a copy, so the whole session is
 * revoked. Returns the 401 to throw.
 */
export async function replayDetected(request: FastifyRequest, sessions: SessionsRepository, userId: number, sid: string): Promise<HttpError> {
  await sessions.revoke(sid)
  audit(request, 'refresh_reuse_detected', { user_id: userId, session_id: sid })
  return authError('token_revoked', 'This refresh token was already used; the session has been revoked.', true)
}
