import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import secureJson from 'secure-json-parse'
import { HttpError } from '../../errors.js'
import type { ErrorBody, ErrorCode } from '../../../schemas/error.js'
import { REALM } from './auth-errors.js'
import { errorResponse } from '../../routes/responses.js'

const GENERIC_4XX = errorResponse('Any other client error, such as malformed JSON (400), a body over 1 MiB (413) or a body that is not JSON (415).')

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

const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: ['validation_error', 'The request is malformed.'],
  404: ['not_found', 'Not found.'],
  413: ['payload_too_large', 'The body is larger than 1 MiB.'],
  415: ['unsupported_media_type', 'The body must be JSON (Content-Type: application/json).'],
  429: ['too_many_requests', 'Too many requests.'],
  431: ['header_too_large', 'The request headers are too large.'],
}

/** Turns anything thrown into API.md's Error shape; 5xx never shows its cause. */
export function toErrorBody(err: FastifyError | HttpError): { body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof HttpError) {
    const details = (err as HttpError & { details?: Detail[] }).details
    return {
      body: { statusCode: err.statusCode, code: err.code, error: err.reason, message: err.message, ...(details && { details }) },
      headers: err.headers,
    }
  }
  const fe = err as FastifyError
  if (fe.validation) {
    const details = detailsOf(fe.validation as AjvIssue[])
    const where = fe.validationContext ?? 'request'
    const first = details[0]
    return {
      body: {
        statusCode: 400,
        code: 'validation_error',
        error: 'Bad Request',
        message: `Invalid ${where}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}.`,
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
  return { body: { statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message }, headers: {} }
}

/** Errors Node raises before Fastify sees a request (header limits, bad HTTP), in the same shape. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const [code, message] = status === 431 ? BY_STATUS[431]! : (['bad_request', 'The request is not valid HTTP.'] as const)
  const body = JSON.stringify({ statusCode: status, code, error: STATUS_CODES[status], message })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

/**
 * Errors the router raises before any hook or route runs: a malformed percent-encoding, or a path
 * parameter over Fastify's length limit (a 400 like any other bad id, not Fastify's own 414 body).
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH'
  const message = err.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed.' : 'A path parameter is too long.'
  const body: ErrorBody = known
    ? { statusCode: 400, code: 'validation_error', error: 'Bad Request', message }
    : { statusCode: 500, code: 'internal_error', error: 'Internal Server Error', message: 'Something went wrong on our side.' }
  if (known) request.log.info({ code: body.code, status: body.statusCode }, err.message)
  else request.log.error({ err }, 'request failed')
  return reply.code(body.statusCode).header('x-request-id', request.id).send(body)
}

export default fp(
  async (app: FastifyInstance) => {
    // Our JSON parser: an empty body on a body-less route is no error, and prototype
    // poisoning is refused as Fastify's own parser does.
    app.removeContentTypeParser('application/json')
    // Only JSON bodies are accepted: Fastify's built-in text/plain parser would turn a text
    // body into a string that then fails the schema as a 400; without it, it is a 415.
    app.removeContentTypeParser('text/plain')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      if (body === '') return done(null, undefined)
      try {
        done(null, secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }))
      } catch {
        done(new HttpError(400, 'validation_error', 'The body is not valid JSON.'), undefined)
      }
    })

    app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
      const { body, headers } = toErrorBody(err)
      if (body.statusCode >= 500) request.log.error({ err }, 'request failed')
      else request.log.info({ code: body.code, status: body.statusCode }, body.message)
      if (body.statusCode === 401 && !headers['www-authenticate']) headers['www-authenticate'] = REALM
      return reply.code(body.statusCode).headers(headers).send(body)
    })

    // Every operation documents the generic 4XX (errors raised before routing: malformed
    // JSON, body too large, unsupported media type, header limits).
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.schema?.hide) return
      route.schema = { ...route.schema, response: { '4xx': GENERIC_4XX, ...(route.schema?.response as object) } }
    })

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]
      const body: ErrorBody = { statusCode: 404, code: 'not_found', error: 'Not Found', message: `No route ${request.method} ${path}.` }
      return reply.code(404).send(body)
    })
  },
  { name: 'errors' },
)
