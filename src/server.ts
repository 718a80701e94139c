import cluster from 'node:cluster'
import pino from 'pino'
import { buildApp } from './app.js'
import { runPrimary } from './cluster.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { persistedSecret, SECRET_FILE } from './secret.js'

// .env is read when present; variables already set in the environment win.
try {
  process.loadEnvFile()
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
}

let config
try {
  config = loadConfig(process.env)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(`Invalid configuration: ${err.message}`)
  process.exit(1)
}

if (config.webConcurrency > 1 && cluster.isPrimary) {
  await runPrimary(config)
} else {
  await serve(config)
}

/** One process serving requests: the whole service, or one of WEB_CONCURRENCY workers. */
async function serve(config: Config) {
  // Log lines are written asynchronously (a request never waits for stdout), and flushed at
  // every exit: a clean stop, a failed start, a crash.
  const logStream = pino.destination({ dest: 1, sync: false })
  const exit = (code: number) => {
    logStream.flushSync()
    process.exit(code)
  }
  const generated = config.jwtSecret === undefined ? persistedSecret() : undefined
  const app = await buildApp({ ...config, jwtSecret: config.jwtSecret ?? generated!.secret }, { logStream })
  process.on('uncaughtException', (err) => {
    app.log.fatal({ err }, 'uncaught exception; exiting')
    exit(1)
  })
  if (generated) {
    app.log.warn(
      `JWT_SECRET_KEY is not set: using the generated key in ${SECRET_FILE}${generated.created ? ' (created now)' : ''}. Set JWT_SECRET_KEY in production.`,
    )
  }

  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return
      closing = true
      app.log.info({ signal }, 'shutting down: finishing in-flight requests')
      // Close stops accepting connections, lets in-flight requests finish, then runs
      // onClose hooks (the database is closed last).
      const force = setTimeout(() => {
        app.log.error('shutdown took over 10 s; exiting')
        exit(1)
      }, 10_000)
      force.unref()
      app.close().then(
        () => exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'error while shutting down')
          exit(1)
        },
      )
    })
  }

  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    app.log.error({ err }, 'could not start')
    exit(1)
  }
}
