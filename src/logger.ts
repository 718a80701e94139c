import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino'
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'

/** Passwords, tokens and cookies never reach a log line. */
export const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-csrf-token"]',
    'res.headers["set-cookie"]',
    '*.password',
    '*.current_password',
    '*.new_password',
    '*.access_token',
    '*.refresh_token',
    '*.token',
  ],
  censor: '[redacted]',
}

const SECRET_QUERY = /([?&](?:access_token|refresh_token|token|password)=)[^&]*/gi

/** The request as logged (if a line ever logs one): no headers, secret-looking query values masked. */
function requestForLog(req: FastifyRequest) {
  return { method: req.method, url: req.url.replace(SECRET_QUERY, '$1[redacted]'), remoteAddress: req.ip }
}

/** The service's pino logger: JSON at `level`, redacted, with the process id but no host name. */
export function createLogger(level: string, stream: DestinationStream): Logger {
  return pino({ level, redact: REDACT, serializers: { req: requestForLog }, base: { pid: process.pid } }, stream)
}

const INFO = 30

declare module 'fastify' {
  interface FastifyRequest {
    /** The Error code of the answer, for the access line (set by the error handler). */
    errorCode?: string
  }
}

/**
 * One access line per request, written when the response is done: method, route, status,
 * duration and request id (and the error code of a 4xx/5xx). Nothing for the incoming request.
 * Above `info` the base class's disabled flag makes every per-request call return at once.
 */
export class AccessLog extends LogController {
  constructor(private readonly root: Logger) {
    super({ disableRequestLogging: root.levelVal > INFO })
  }

  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.disableRequestLogging === true) return
    const line = {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? '(no route)',
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
      ...(request.errorCode === undefined ? {} : { code: request.errorCode }),
    }
    if (error) this.root.error({ ...line, err: error }, 'request errored')
    else this.root.info(line, 'request completed')
  }
}

/**
 * `request.log`, made per request by Fastify: the pino child with the request id is created
 * only when a line is written at an enabled level, so a request that logs nothing costs one
 * small object instead of a child logger (whose bindings pino serializes and redacts).
 */
class RequestLogger {
  private made: Logger | undefined
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get log(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options))
  }

  get level() {
    return this.parent.level
  }

  fatal(...args: Parameters<Logger['fatal']>) {
    if (this.parent.levelVal <= 60) this.log.fatal(...args)
  }
  error(...args: Parameters<Logger['error']>) {
    if (this.parent.levelVal <= 50) this.log.error(...args)
  }
  warn(...args: Parameters<Logger['warn']>) {
    if (this.parent.levelVal <= 40) this.log.warn(...args)
  }
  info(...args: Parameters<Logger['info']>) {
    if (this.parent.levelVal <= 30) this.log.info(...args)
  }
  debug(...args: Parameters<Logger['debug']>) {
    if (this.parent.levelVal <= 20) this.log.debug(...args)
  }
  trace(...args: Parameters<Logger['trace']>) {
    if (this.parent.levelVal <= 10) this.log.trace(...args)
  }
  silent() {}

  child(bindings: Bindings, options?: ChildLoggerOptions) {
    return this.log.child(bindings, options)
  }
}

/** Fastify's childLoggerFactory: a RequestLogger instead of a pino child per request. */
export function requestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
  return new RequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger
}
