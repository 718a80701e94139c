import type { FastifyRequest } from 'fastify'
import { audit } from '../audit.js'
import { authError } from '../http/challenge.js'
import type { HttpError } from '../http/errors.js'
import type { SessionRow, SessionsRepository } from '../repositories/types.js'

/**
 * Whether `jti` is the refresh token the session's last rotation retired, presented within
 * `intervalSeconds` of it (JWT_REFRESH_REUSE_INTERVAL): a second tab or a lost response, not
 * theft. The answer is then the session's current refresh token.
 */
export function withinReuseInterval(session: SessionRow, jti: string, now: number, intervalSeconds: number): boolean {
  if (intervalSeconds <= 0 || session.previousRefreshJti !== jti || !session.rotatedAt) return false
  return now - session.rotatedAt.getTime() <= intervalSeconds * 1000
}

/**
 * A retired refresh token was presented: someone else holds a copy, so the whole session is
 * revoked. Returns the 401 to throw.
 */
export async function replayDetected(request: FastifyRequest, sessions: SessionsRepository, userId: number, sid: string): Promise<HttpError> {
  await sessions.revoke(sid)
  audit(request, 'refresh_reuse_detected', { user_id: userId, session_id: sid })
  return authError('token_revoked', 'This refresh token was already used; the session has been revoked.', true)
}
