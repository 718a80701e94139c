// The load generators, each a child process pinned to CPU 1.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { pinned } from './proc.mjs'

const require = createRequire(import.meta.url)
const AUTOCANNON = require.resolve('autocannon/autocannon.js')
const REFRESH_LOOP = fileURLToPath(new URL('./refresh-loop.mjs', import.meta.url))

function runJson(args) {
  const [command, argv] = pinned(1, process.execPath, args)
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.once('error', reject)
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop()
      try {
        resolve(JSON.parse(last ?? ''))
      } catch {
        reject(new Error(`load generator exited ${code} without a JSON result: ${err.trim() || out.trim()}`))
      }
    })
  })
}

/**
 * One autocannon run: { url, connections, duration, method?, headers?, body?, rate? }.
 * Returns { rps, p50, p99, non2xx, errors, requests }.
 */
export async function autocannon({ url, connections = 32, duration, method = 'GET', headers = {}, body, rate }) {
  const args = [AUTOCANNON, '-j', '-n', '-c', String(connections), '-d', String(duration), '-m', method]
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`)
  if (body !== undefined) args.push('-H', 'content-type=application/json', '-b', JSON.stringify(body))
  if (rate !== undefined) args.push('-R', String(rate))
  args.push(url)
  const r = await runJson(args)
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requests: r.requests.total,
  }
}

/** The refresh-rotation loop (see refresh-loop.mjs); same result shape as autocannon(). */
export function refreshLoop({ url, workers = 32, warmup, duration, username, password }) {
  return runJson([REFRESH_LOOP, JSON.stringify({ url, workers, warmup, duration, username, password })])
}
