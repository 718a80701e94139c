// API.md: "A 2xx on a write means it is on disk: a crash right after it loses nothing."
// The real server runs as a child process; a stream of writes runs against it and, at a seeded
// moment with requests in flight, the child gets SIGKILL. Restarted on the same files, every
// acknowledged write must be there with the acknowledged values. Rounds chain on one database.
import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { TEST_SECRET, tempDir } from './helper.js'
import { freePort, SERVER_ARGS } from './processes.js'

const ROUNDS = Number(process.env.DURABILITY_ROUNDS || 3)
const SEED = Number(process.env.DURABILITY_SEED || Math.floor(Math.random() * 2 ** 31))
const WORKERS = 8
console.log(`# durability seed: ${SEED} (replay with DURABILITY_SEED=${SEED})`)

/**
 * mulberry32, a small seeded PRNG: the seed fixes the kill points and the mix of writes (their
 * interleaving still depends on timing), and a failing seed is printed to replay.
 */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(SEED)
const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)]

interface Server {
  base: string
  kill(signal: NodeJS.Signals): Promise<void>
  output(): string
}

/** Starts the server as `npm start` does, in `dir` on a free port, and waits until /health answers. */
async function startServer(dir: string, previous?: string): Promise<Server> {
  // Never the killed server's port: a request of the last round that somehow outlived the
  // kill must find nothing there rather than the restarted server.
  let port = await freePort()
  while (previous?.endsWith(`:${port}`)) port = await freePort()
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATABASE_URL: `file:${join(dir, 'db.sqlite')}`,
      JWT_SECRET_KEY: TEST_SECRET,
      AUTH_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  const server = {
    base,
    output: () => output,
    async kill(signal: NodeJS.Signals) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) break
    const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false)
    if (ok) return server
  }
  await server.kill('SIGKILL')
  throw new Error(`server did not start:\n${output}`)
}

interface Reply {
  status: number
  body: Record<string, unknown>
}

async function call(base: string, method: string, url: string, token?: string, payload?: unknown): Promise<Reply> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  if (payload !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${base}${url}`, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

type ItemValue = { name: string; price: number; store_id: number }
/** The last acknowledged state of an item, and the state of a write still in flight, if any. */
type Tracked<T> = { acked: T; pending?: T }
interface Session {
  access: string
  /** 'live' until a logout is acknowledged; 'pending' while one is in flight. */
  state: 'live' | 'pending' | 'revoked'
}

/** Everything the service acknowledged, across rounds. */
const ledger = {
  stores: new Map<number, string>(),
  items: new Map<number, Tracked<ItemValue | 'absent'>>(),
  sessions: [] as Session[],
  answered: 0,
  /** Writes sent and not yet answered. */
  inFlight: 0,
}

let ADMIN = ''
/**
 * PUT /item/{id} creates below ANCHOR, an item made before the writers start and never
 * touched: POST /item gives the id after the largest (ANCHOR + 1 and up), so the two never
 * meet. (Counting down from the largest id, a POST could take an id that a PUT in flight was
 * about to create: the PUT then updated the POST's item, and the ledger, which knew the
 * item as the POST's, flagged a lost write that was not.)
 */
const ANCHOR = 2_000_000_000
let nextPutId = ANCHOR - 1
let names = 0

/** What each writer owns, across rounds: only its owner writes an item or ends a session. */
const owned = Array.from({ length: WORKERS }, () => ({ items: [] as number[], sessions: [] as Session[] }))
const takeRandom = <T>(list: T[]) => list.splice(Math.floor(random() * list.length), 1)[0]!
const itemValue = (worker: number): ItemValue => ({
  name: `item-${worker}-${names++}`,
  price: Math.floor(random() * 1e7) / 100,
  store_id: pick([...ledger.stores.keys()])!,
})

type Op = 'store' | 'item' | 'update' | 'put-create' | 'delete' | 'login' | 'logout'

function chooseOp(worker: number): Op {
  const roll = random()
  const { items, sessions } = owned[worker]!
  if (roll < 0.2 || ledger.stores.size === 0) return 'store'
  if (roll < 0.45) return 'item'
  if (roll < 0.8) return items.length ? 'update' : 'item'
  if (roll < 0.86) return 'put-create'
  if (roll < 0.9) return items.length ? 'delete' : 'item'
  if (roll < 0.96 || sessions.length === 0) return 'login'
  return 'logout'
}

/** Sends an item write, marked pending until answered; `ok` is the status that acknowledges it. */
async function itemWrite(id: number, next: ItemValue | 'absent', ok: number, send: () => Promise<Reply>) {
  const tracked = ledger.items.get(id) ?? { acked: 'absent' }
  ledger.items.set(id, tracked)
  tracked.pending = next
  const res = await send()
  delete tracked.pending
  if (res.status === ok) tracked.acked = next
  return res.status === ok
}

/** Performs one seeded write of `worker` and records it once acknowledged. */
async function write(worker: number, base: string) {
  const mine = owned[worker]!
  switch (chooseOp(worker)) {
    case 'store': {
      const name = `store-${worker}-${names++}`
      const res = await call(base, 'POST', '/store', ADMIN, { name })
      if (res.status === 201) ledger.stores.set(res.body.id as number, name)
      return
    }
    case 'item': {
      const value = itemValue(worker)
      const res = await call(base, 'POST', '/item', ADMIN, value)
      if (res.status !== 201) return
      ledger.items.set(res.body.id as number, { acked: value })
      mine.items.push(res.body.id as number)
      return
    }
    case 'update': {
      const id = pick(mine.items)!
      const value = itemValue(worker)
      await itemWrite(id, value, 200, () => call(base, 'PUT', `/item/${id}`, ADMIN, value))
      return
    }
    case 'put-create': {
      // Chosen ids count down from near the top, far from the autoincremented ones.
      const id = nextPutId--
      const value = itemValue(worker)
      if (await itemWrite(id, value, 201, () => call(base, 'PUT', `/item/${id}`, ADMIN, value))) mine.items.push(id)
      return
    }
    case 'delete': {
      const id = takeRandom(mine.items)
      await itemWrite(id, 'absent', 200, () => call(base, 'DELETE', `/item/${id}`, ADMIN))
      return
    }
    case 'login': {
      const res = await call(base, 'POST', '/login', undefined, { username: 'member', password: 'password-123' })
      if (res.status !== 200) return
      const session: Session = { access: String(res.body.access_token), state: 'live' }
      ledger.sessions.push(session)
      mine.sessions.push(session)
      return
    }
    case 'logout': {
      const session = takeRandom(mine.sessions)
      session.state = 'pending'
      const res = await call(base, 'POST', '/logout', session.access)
      session.state = res.status === 200 ? 'revoked' : 'live'
    }
  }
}

/** One writer: seeded writes until `stop()` or until a request gets no answer (the server died). */
async function writer(worker: number, base: string, stop: () => boolean) {
  while (!stop()) {
    try {
      ledger.inFlight++
      await write(worker, base)
      ledger.inFlight--
      ledger.answered++
    } catch {
      return // whatever was in flight stays pending
    }
  }
}

/**
 * Checks every acknowledged write against the restarted server and returns how many are lost.
 * A write that was in flight may have landed or not; the server's answer settles it.
 */
async function verify(t: Test, base: string) {
  let lost = 0
  const expect = (ok: boolean, what: string) => {
    if (!ok) lost++
    t.ok(ok, what)
  }
  for (const [id, name] of ledger.stores) {
    const res = await call(base, 'GET', `/store/${id}`)
    expect(res.status === 200 && res.body.name === name, `store ${id} "${name}" (${res.status})`)
  }
  for (const [id, tracked] of ledger.items) {
    const res = await call(base, 'GET', `/item/${id}`, ADMIN)
    const { name, price, store_id } = res.body
    const found = res.status === 200 ? { name, price, store_id } : res.status === 404 ? 'absent' : `status ${res.status}`
    const allowed = tracked.pending === undefined ? [tracked.acked] : [tracked.acked, tracked.pending]
    const match = allowed.find((v) => JSON.stringify(v) === JSON.stringify(found))
    expect(match !== undefined, `item ${id}: ${JSON.stringify(found)} is one of ${JSON.stringify(allowed)}`)
    tracked.acked = match ?? tracked.acked
    delete tracked.pending
  }
  for (const session of ledger.sessions) {
    const res = await call(base, 'GET', '/me', session.access)
    const live = res.status === 200
    const revoked = res.status === 401 && res.body.code === 'token_revoked'
    expect(session.state === 'pending' ? live || revoked : session.state === 'live' ? live : revoked, `${session.state} session: ${res.status} ${String(res.body.code ?? '')}`)
    if (session.state === 'pending') session.state = live ? 'live' : 'revoked'
  }
  return lost
}

let totalLost = 0
let server: Server

t.test('acknowledged writes survive SIGKILL', async (t) => {
  const dir = tempDir(t)
  server = await startServer(dir)
  t.teardown(() => server.kill('SIGKILL'))
  for (const username of ['admin', 'member']) {
    const res = await call(server.base, 'POST', '/register', undefined, { username, password: 'password-123' })
    t.equal(res.status, 201, `${username} registered`)
  }
  ADMIN = String((await call(server.base, 'POST', '/login', undefined, { username: 'admin', password: 'password-123' })).body.access_token)
  const store = await call(server.base, 'POST', '/store', ADMIN, { name: 'anchor-store' })
  t.equal(store.status, 201, 'a first store')
  ledger.stores.set(store.body.id as number, 'anchor-store')
  const anchor: ItemValue = { name: 'anchor', price: 1, store_id: store.body.id as number }
  t.equal((await call(server.base, 'PUT', `/item/${ANCHOR}`, ADMIN, anchor)).status, 201, 'the anchor item')
  ledger.items.set(ANCHOR, { acked: anchor })

  for (let round = 1; round <= ROUNDS; round++) {
    await t.test(`round ${round}: SIGKILL with writes in flight, restart, nothing acknowledged is lost`, (t) => killRound(t, dir))
  }

  await t.test('the database file is intact after the crashes', async (t) => {
    await server.kill('SIGTERM')
    const db = new Database(join(dir, 'db.sqlite'), { readonly: true })
    t.teardown(() => db.close())
    t.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }])
  })
  console.log(`# kill/restart rounds: ${ROUNDS}, lost acknowledged writes: ${totalLost}`)
  t.equal(totalLost, 0, 'no acknowledged write was lost in any round')
})

/** Writes until a seeded number of answers (plus a few seeded ms), SIGKILL, restart, verify. */
async function killRound(t: Test, dir: string) {
  const target = ledger.answered + 20 + Math.floor(random() * 80)
  const jitter = Math.floor(random() * 15)
  let killed = false
  const running = server
  const writers = Promise.all(Array.from({ length: WORKERS }, (_, w) => writer(w, running.base, () => killed)))
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (ledger.answered < target) return
      clearInterval(timer)
      setTimeout(resolve, jitter)
    }, 1)
  })
  killed = true
  const inFlight = ledger.inFlight
  await running.kill('SIGKILL')
  await writers
  ledger.inFlight = 0
  t.ok(inFlight > 0, `killed ${running.base} after ${ledger.answered} answered writes, with ${inFlight} in flight`)

  server = await startServer(dir, running.base)
  t.comment(`restarted at ${server.base}`)
  const lost = await verify(t, server.base)
  totalLost += lost
  t.equal(lost, 0, 'no acknowledged write was lost')
}
