import type { FastifyBaseLogger } from 'fastify'

export type SecurityEvent =
  | 'user_registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'token_refreshed'
  | 'refresh_reuse_detected'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'password_changed'
  | 'user_updated'
  | 'user_deleted'
  | 'key_created'
  | 'key_rotated'
  | 'key_rotated_automatically'
  | 'email_verification_sent'
  | 'email_verified'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_changed'

/**
 * One structured line per security event; the request id comes with the request logger (the
 * app's logger, or the outbox sender's, for events no request caused). Never a secret.
 */
export function audit(
  request: { log: Pick<FastifyBaseLogger, 'info' | 'warn'> },
  event: SecurityEvent,
  fields: { user_id?: number | undefined; session_id?: string | undefined; [key: string]: unknown } = {},
) {
  const level = event === 'refresh_reuse_detected' || event === 'login_failed' ? 'warn' : 'info'
  request.log[level]({ event, ...fields }, event.replace(/_/g, ' '))
}
