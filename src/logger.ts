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

/** A route's JSON string for the access line, made once per route (routes are few and fixed). */
const routeJson = new Map<string, string>()
const jsonOf = (route: string) => routeJson.get(route) ?? (routeJson.set(route, JSON.stringify(route)), routeJson.get(route)!)

/**
 * One access line per request, written when the response is done: method, route, status,
 * duration and request id (and the error code of a 4xx/5xx). Nothing for the incoming request.
 * Above `info` the base class's disabled flag makes every per-request call return at once.
 *
 * The line is written as pino writes its lines (level, time, pid, msg), but put together here:
 * its fields are a UUID, a method, a route of our own, numbers and an error code, none of which
 * can hold a secret or need escaping beyond the route, so pino's redaction and serializer pass
 * are skipped on the one line every request writes. A failed request goes through pino.
 */
export class AccessLog extends LogController {
  private readonly prefix = `{"level":${INFO},"time":`
  private readonly pid = `,"pid":${process.pid},"reqId":"`

  constructor(
    private readonly root: Logger,
    private readonly stream: DestinationStream,
  ) {
    super({ disableRequestLogging: root.levelVal > INFO })
  }

  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.disableRequestLogging === true) return
    const route = request.routeOptions.url ?? '(no route)'
    const responseTime = Math.round(reply.elapsedTime * 100) / 100
    if (error) {
      this.root.error({ reqId: request.id, method: request.method, route, statusCode: reply.statusCode, responseTime, err: error }, 'request errored')
      return
    }
    const code = request.errorCode === undefined ? '' : `,"code":"${request.errorCode}"`
    this.stream.write(
      `${this.prefix}${Date.now()}${this.pid}${request.id}","method":"${request.method}","route":${jsonOf(route)},` +
        `"statusCode":${reply.statusCode},"responseTime":${responseTime}${code},"msg":"request completed"}\n`,
    )
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
