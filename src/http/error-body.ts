import type { FastifyError } from 'fastify'
import { STATUS_CODES } from 'node:http'
import { HttpError } from './errors.js'
import { ConflictError, MissingError, UnavailableError } from '../repositories/errors.js'
import type { ErrorBody, ErrorCode } from '../../schemas/error.js'

type Detail = { path: string; message: string }
type AjvIssue = { instancePath?: string; message?: string; params?: Record<string, unknown> }

function detailsOf(validation: AjvIssue[]): Detail[] {
  return validation.map((v) => {
    const extra = v.params?.missingProperty ?? v.params?.additionalProperty
    return {
      path: `${v.instancePath ?? ''}${extra === undefined ? '' : `/${String(extra)}`}`,
      message: v.message ?? 'is invalid',
    }
  })
}

export const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: ['validation_error', 'The request is malformed.'],
  404: ['not_found', 'Not found.'],
  413: ['payload_too_large', 'The body is larger than 1 MiB.'],
  415: ['unsupported_media_type', 'The body must be JSON (Content-Type: application/json).'],
  429: ['too_many_requests', 'Too many requests.'],
  431: ['header_too_large', 'The request headers are too large.'],
}

const body = (statusCode: number, code: ErrorCode, message: string): ErrorBody => ({
  statusCode,
  code,
  error: STATUS_CODES[statusCode] ?? 'Error',
  message,
})

/** Turns anything thrown into the Error shape; 5xx never shows its cause. */
export function toErrorBody(err: FastifyError | HttpError | Error): { body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof HttpError) {
    const details = (err as HttpError & { details?: Detail[] }).details
    return {
      body: { statusCode: err.statusCode, code: err.code, error: err.reason, message: err.message, ...(details && { details }) },
      headers: err.headers,
    }
  }
  // The repositories' domain errors: what the data refused, as the API says it.
  if (err instanceof ConflictError) return { body: body(409, 'conflict', err.message), headers: {} }
  if (err instanceof MissingError) return { body: body(404, 'not_found', err.message), headers: {} }
  if (err instanceof UnavailableError) {
    return { body: body(503, 'service_unavailable', err.message), headers: { 'retry-after': String(err.retryAfter) } }
  }
  const fe = err as FastifyError
  if (fe.validation) {
    const details = detailsOf(fe.validation as AjvIssue[])
    const where = fe.validationContext ?? 'request'
    const first = details[0]
    return {
      body: {
        ...body(400, 'validation_error', `Invalid ${where}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}.`),
        details,
      },
      headers: {},
    }
  }
  const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500
  const [code, fallback] = BY_STATUS[status] ?? (status === 500 ? ['internal_error', ''] : ['bad_request', ''])
  let message = status === 500 ? 'Something went wrong on our side.' : fallback || fe.message
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) message = 'The body is not valid JSON.'
  else if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'The body is empty but Content-Type says JSON.'
  return { body: body(status, code, message), headers: {} }
}
