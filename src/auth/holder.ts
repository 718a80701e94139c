import type { TokenClaims } from '../../schemas/auth.js'
import { authError } from '../http/challenge.js'
import type { SessionsRepository } from '../repositories/types.js'

/**
 * What a verified token needs in the database to be accepted, in one query: its user, existing
 * and active, and its session, not revoked nor expired. `retired`: a refresh token that is no
 * longer its session's current one. The auth hook and POST /introspect both decide by this.
 */
export async function tokenHolder(sessions: SessionsRepository, claims: TokenClaims, now: number) {
  const row = await sessions.authLookup(Number(claims.sub), claims.sid)
  if (!row) throw authError('user_not_found', 'The user of this token no longer exists.', true)
  if (!row.user.isActive) throw authError('user_inactive', 'The user of this token is deactivated.', true)
  const session = row.session
  if (!session || session.expiresAt.getTime() <= now) {
    throw authError('token_revoked', 'The token has been revoked.', true)
  }
  return { user: row.user, session, retired: claims.type === 'refresh' && session.refreshJti !== claims.jti }
}
