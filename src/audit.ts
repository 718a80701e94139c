import type { FastifyRequest } from 'fastify'

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
  | 'email_verification_sent'
  | 'email_verified'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_changed'

/**
 * One structured line per security event; the request id comes with the request logger (the
 * outbox's sender, which has no request, passes its own). Never a secret.
 */
export function audit(
  request: Pick<FastifyRequest, 'log'>,
  event: SecurityEvent,
  fields: { user_id?: number | undefined; session_id?: string | undefined; [key: string]: unknown } = {},
) {
  const level = event === 'refresh_reuse_detected' || event === 'login_failed' ? 'warn' : 'info'
  request.log[level]({ event, ...fields }, event.replace(/_/g, ' '))
}
