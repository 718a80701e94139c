// wrk (Debian's package) for the throughput scenarios: one thread, pinned to CPU 1 beside the
// harness. Unlike autocannon (a Node process, which tops out below bare Fastify here) it does
// not bend the ratios. Falls back to autocannon where wrk is not installed.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pinned } from './proc.mjs'
import { autocannon } from './load.mjs'

const SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url))
export const hasWrk = spawnSync('wrk', ['--version']).error === undefined

/** One run: { url, connections, duration, headers? }. Returns { rps, p50, p99, non2xx, errors, requests }. */
export async function wrk({ url, connections = 32, duration, headers = {} }) {
  if (!hasWrk) return autocannon({ url, connections, duration, headers })
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', SCRIPT]
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
  args.push(url)
  const [command, argv] = pinned(1, 'wrk', args)
  const out = await new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout.on('data', (d) => (text += d))
    child.stderr.on('data', (d) => (text += d))
    child.once('error', reject)
    child.once('exit', () => resolve(text))
  })
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'))
  if (!line) throw new Error(`wrk gave no summary: ${out}`)
  const r = JSON.parse(line)
  return { rps: r.requests / (r.durationUs / 1e6), p50: r.p50, p99: r.p99, non2xx: r.non2xx, errors: r.errors, requests: r.requests }
}
