import { HttpError } from './errors.js'
import type { ErrorCode } from '../../schemas/error.js'

export const REALM = 'Bearer realm="stores-api"'

/**
 * A 401 with its RFC 6750 challenge: `error="invalid_token"` and a description when a
 * token was presented, `error="invalid_request"` for a malformed Authorization header.
 */
export function authError(code: ErrorCode, message: string, presented: boolean): HttpError {
  const error = code === 'invalid_header' ? 'invalid_request' : 'invalid_token'
  const challenge = presented ? `${REALM}, error="${error}", error_description="${message.replace(/["\\]/g, '')}"` : REALM
  return new HttpError(401, code, message, { 'www-authenticate': challenge })
}
