// POST /refresh with rotation, which autocannon cannot do: each request must present the
// refresh token the previous one returned. `workers` loops run at once, each on its own
// session (one login each, before the clock starts), over keep-alive connections.
// Prints one JSON line: { rps, p50, p99, non2xx, errors, requests }.
import { Agent, request } from 'node:http'

const { url, workers, warmup, duration, username, password } = JSON.parse(process.argv[2])
const agent = new Agent({ keepAlive: true, maxSockets: workers })

function post(path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', agent, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function login() {
  const body = JSON.stringify({ username, password })
  const res = await post('/login', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body)
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.body}`)
  return JSON.parse(res.body).refresh_token
}

const stats = { latencies: [], non2xx: 0, errors: 0, recording: false }

async function worker(token, until) {
  while (Date.now() < until) {
    const start = process.hrtime.bigint()
    try {
      const res = await post('/refresh', { authorization: `Bearer ${token}` })
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (stats.recording) stats.latencies.push(ms)
      if (res.status === 200) {
        token = JSON.parse(res.body).refresh_token
      } else {
        if (stats.recording) stats.non2xx++
        token = await login()
      }
    } catch {
      if (stats.recording) stats.errors++
      token = await login().catch(() => token)
    }
  }
}

const tokens = []
for (let i = 0; i < workers; i++) tokens.push(await login())
const warmUntil = Date.now() + warmup * 1000
const endAt = warmUntil + duration * 1000
setTimeout(() => (stats.recording = true), warmup * 1000)
await Promise.all(tokens.map((t) => worker(t, endAt)))
agent.destroy()

const sorted = stats.latencies.sort((a, b) => a - b)
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0)
console.log(
  JSON.stringify({
    rps: sorted.length / duration,
    p50: pct(50),
    p99: pct(99),
    non2xx: stats.non2xx,
    errors: stats.errors,
    requests: sorted.length,
  }),
)
