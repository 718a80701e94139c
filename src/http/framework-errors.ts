import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ErrorBody } from '../../schemas/error.js'
import { BY_STATUS } from './error-body.js'

// Server options for the errors raised before any hook or route runs, in the Error shape too.

/** Errors Node raises before Fastify sees a request (header limits, bad HTTP). */
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
 * Errors the router raises: a malformed percent-encoding, or a path parameter over Fastify's
 * length limit (a 400 like any other bad id, not Fastify's own 414 body).
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH'
  const message = err.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed.' : 'A path parameter is too long.'
  const body: ErrorBody = known
    ? { statusCode: 400, code: 'validation_error', error: 'Bad Request', message }
    : { statusCode: 500, code: 'internal_error', error: 'Internal Server Error', message: 'Something went wrong on our side.' }
  request.errorCode = body.code
  if (!known) request.log.error({ err }, 'request failed')
  return reply.code(body.statusCode).header('x-request-id', request.id).send(body)
}
