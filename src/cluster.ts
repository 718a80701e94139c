import cluster, { type Worker } from 'node:cluster'
import type { Config } from './config.js'
import { connect } from './db/connect.js'
import { persistedSecret } from './secret.js'

const LEVELS = { info: 30, warn: 40, error: 50 } as const

/** A log line shaped like the workers' (pino JSON), for the few things the primary says. */
function log(level: keyof typeof LEVELS, msg: string, extra: Record<string, unknown> = {}) {
  process.stdout.write(JSON.stringify({ level: LEVELS[level], time: Date.now(), pid: process.pid, role: 'primary', ...extra, msg }) + '\n')
}

/**
 * WEB_CONCURRENCY > 1: the primary prepares what workers would otherwise race on
 * (migrations, the generated JWT key), then forks the workers, which share the port.
 * SIGINT/SIGTERM are passed on; the primary exits once every worker has closed.
 */
export async function runPrimary(config: Config) {
  if (config.jwtSecret === undefined) persistedSecret()
  await (await connect(config)).close()

  const listening = new WeakSet<Worker>()
  let stopping = false
  let failed = false

  const fork = () => {
    const worker = cluster.fork()
    worker.once('listening', () => listening.add(worker))
  }

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0)
      return
    }
    if (!listening.has(worker)) {
      // It never started (bad port, database down...): forking again would fail the same way.
      log('error', 'a worker failed to start; stopping', { worker: worker.process.pid, code, signal })
      failed = true
      stop('SIGTERM')
      return
    }
    log('error', 'a worker died; starting another', { worker: worker.process.pid, code, signal })
    fork()
  })

  function stop(signal: NodeJS.Signals) {
    if (stopping) return
    stopping = true
    log('info', 'shutting down: waiting for the workers to finish in-flight requests', { signal })
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    if (workers.length === 0) process.exit(failed ? 1 : 0)
    for (const worker of workers) worker.process.kill('SIGTERM')
    const force = setTimeout(() => {
      log('error', 'shutdown took over 15 s; killing the workers')
      for (const worker of workers) worker.process.kill('SIGKILL')
      process.exit(1)
    }, 15_000)
    force.unref()
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal))

  for (let i = 0; i < config.webConcurrency; i++) fork()
  log('info', `started ${config.webConcurrency} workers`, { workers: config.webConcurrency })
}
