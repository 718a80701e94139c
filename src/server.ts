import cluster from 'node:cluster'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
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

/**
 * The web app's build: app/ beside this file in dist/<fingerprint>/ (scripts/builds.mjs puts it
 * there; this module is the bundle's entry, so its URL is server.js's). Run from the sources
 * (npm run dev) there is none, and /app is not served.
 */
function webRoot() {
  const dir = fileURLToPath(new URL('app/', import.meta.url))
  return existsSync(`${dir}index.html`) ? dir : undefined
}

const LOG_FLUSH_MS = 100

/** One process serving requests: the whole service, or one of WEB_CONCURRENCY workers. */
async function serve(config: Config) {
  // Log lines are written asynchronously (a request never waits for stdout), gathered into
  // writes of 8 KiB or every 100 ms (one write per line cost a thread hop and a syscall per
  // request), and flushed at every exit: a clean stop, a failed start, a crash.
  const logStream = pino.destination({ dest: 1, sync: false, minLength: 8192 })
  setInterval(() => logStream.flush(), LOG_FLUSH_MS).unref()
  const exit = (code: number) => {
    logStream.flushSync()
    process.exit(code)
  }
  const generated = config.jwtSecret === undefined ? persistedSecret() : undefined
  const web = webRoot()
  const app = await buildApp({ ...config, jwtSecret: config.jwtSecret ?? generated!.secret }, { logStream, webRoot: web })
  if (!web) app.log.warn('the web app is served from a build only (npm start): /app is not served from the sources')
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
