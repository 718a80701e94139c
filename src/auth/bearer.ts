import type { FastifyRequest } from 'fastify'
import { authError } from '../http/challenge.js'

const BEARER = /^Bearer +([^\s]+) *$/i

/** How many Authorization headers the request has (Node joins repeated ones into one value). */
function authorizationHeaders(raw: string[]) {
  let count = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++
  }
  return count
}

/**
 * The credential of the request's `Authorization: Bearer <credential>` header; undefined
 * without that header; 401 `invalid_header` for another scheme, a malformed value or a
 * repeated header.
 */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = authorizationHeaders(request.raw.rawHeaders) === 1 ? BEARER.exec(header) : null
  if (!match?.[1]) throw authError('invalid_header', 'Expected exactly one "Authorization: Bearer <token>" header.', true)
  return match[1]
}
