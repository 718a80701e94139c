import Fastify, { type FastifyServerOptions } from 'fastify'
import pino, { type DestinationStream } from 'pino'
import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import './types.js'
import { sharedSchemas } from '../schemas/index.js'
import { validation } from './validation.js'
import { AccessLog, createLogger, requestLogger } from './logger.js'
import { clientErrorHandler, frameworkErrors } from './http/framework-errors.js'
import configPlugin from './plugins/app/config.js'
import responseHeaders from './plugins/app/response-headers.js'
import bodyParser from './plugins/app/body-parser.js'
import errorHandler from './plugins/app/error-handler.js'
import notFound from './plugins/app/not-found.js'
import openapiErrors from './plugins/app/openapi-errors.js'
import db from './plugins/app/db.js'
import passwords from './plugins/app/passwords.js'
import keys from './plugins/app/keys.js'
import tokens from './plugins/app/tokens.js'
import auth from './plugins/app/auth.js'
import authOpenapi from './plugins/app/auth-openapi.js'
import authLimits from './plugins/app/auth-limits.js'
import outbox, { type OutboxOptions } from './plugins/app/outbox.js'
import mail from './plugins/app/mail.js'
import jwt from './plugins/external/jwt.js'
import cookie from './plugins/external/cookie.js'
import cors from './plugins/external/cors.js'
import rateLimit from './plugins/external/rate-limit.js'
import swagger from './plugins/external/swagger.js'
import swaggerUi from './plugins/external/swagger-ui.js'
import webApp from './plugins/external/web-app.js'
import metaRoutes from './routes/meta.js'
import authRoutes from './routes/auth.js'
import meRoutes from './routes/me.js'
import usersRoutes from './routes/users.js'
import storesRoutes from './routes/stores.js'
import itemsRoutes from './routes/items.js'
import keysRoutes from './routes/keys.js'
import introspectRoutes from './routes/introspect.js'
import emailRoutes from './routes/email.js'

export type AppConfig = Config & { jwtSecret: string }

export interface BuildOptions {
  /** `false` for no logs; otherwise JSON logs at config.logLevel, redacted. */
  logger?: false
  /** Where log lines go (default: stdout, synchronously): the server passes an asynchronous destination, tests a capture. */
  logStream?: DestinationStream
  /** The mail outbox's sender (tests shorten its timings). */
  outbox?: OutboxOptions
  /**
   * A build of the web app (index.html and assets/) to serve at /app: the server passes the one
   * beside its own bundle (server.ts); tests pass a build's (test/processes.ts). Without it,
   * /app is not served.
   */
  webRoot?: string
}

/** The logger options: one redacted pino logger, an access line per request, request loggers made lazily. */
function logging(config: AppConfig, options: BuildOptions): Partial<FastifyServerOptions> {
  if (options.logger === false) return { logger: false }
  const stream = options.logStream ?? pino.destination({ dest: 1, sync: true })
  const logger = createLogger(config.logLevel, stream)
  return { loggerInstance: logger, logController: new AccessLog(logger, stream), childLoggerFactory: requestLogger }
}

/** Builds the whole service on `config`. Never listens, never reads process.env. */
export async function buildApp(config: AppConfig, options: BuildOptions = {}) {
  const app = Fastify({
    ...logging(config, options),
    // Requests that arrive while closing are answered as usual (in the Error shape if they fail),
    // not with Fastify's own 503 body.
    return503OnClosing: false,
    bodyLimit: 1024 * 1024,
    // A hop count is valid for Fastify (proxy-addr) though its types omit it.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    genReqId: () => randomUUID(),
    clientErrorHandler,
    frameworkErrors,
    ...validation,
  }).withTypeProvider<TypeBoxTypeProvider>()

  for (const schema of sharedSchemas) app.addSchema(schema)

  // Plugins declare their dependencies (fastify-plugin checks them at registration), so this
  // order is checked, not remembered. onRoute hooks (auth, docs) must precede the routes.
  await app.register(configPlugin, { config })
  await app.register(responseHeaders)
  await app.register(bodyParser)
  await app.register(errorHandler)
  await app.register(notFound)
  await app.register(openapiErrors)
  await app.register(cors)
  await app.register(cookie)
  await app.register(db)
  await app.register(passwords)
  await app.register(jwt)
  await app.register(keys)
  await app.register(tokens)
  await app.register(rateLimit)
  await app.register(auth)
  await app.register(authOpenapi)
  await app.register(authLimits)
  await app.register(outbox, options.outbox ?? {})
  await app.register(mail)
  await app.register(swagger)
  await app.register(swaggerUi)
  if (options.webRoot) await app.register(webApp, { root: options.webRoot })

  await app.register(metaRoutes)
  await app.register(authRoutes)
  await app.register(meRoutes)
  await app.register(usersRoutes)
  await app.register(storesRoutes)
  await app.register(itemsRoutes)
  await app.register(keysRoutes)
  await app.register(introspectRoutes)
  await app.register(emailRoutes)
  return app
}
export type App = Awaited<ReturnType<typeof buildApp>>
