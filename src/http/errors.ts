import { STATUS_CODES } from 'node:http'
import type { ErrorCode } from '../../schemas/error.js'

/** The error type routes and plugins throw; the error handler renders it in the Error shape. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }

  get reason(): string {
    return STATUS_CODES[this.statusCode] ?? 'Error'
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found.`)
export const forbidden = (message = 'You may not act on this resource.') => new HttpError(403, 'forbidden', message)
export const badRequest = (message: string, path = '') =>
  Object.assign(new HttpError(400, 'validation_error', message), { details: [{ path, message }] })
