// Password hashing: the dummy hash unknown users are checked against, and the low-priority workers.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { parseOptions, verify } from '@node-rs/argon2'
import { ARGON2_OPTIONS, DUMMY_HASH, createPasswords, sameParameters } from '../src/plugins/app/passwords.js'
import { account, build } from './helper.js'

t.test('the dummy hash is argon2id with the parameters every password gets', async (t) => {
  t.ok(DUMMY_HASH.startsWith('$argon2id$'), 'argon2id')
  t.match(parseOptions(DUMMY_HASH), { memoryCost: ARGON2_OPTIONS.memoryCost, timeCost: ARGON2_OPTIONS.timeCost, parallelism: ARGON2_OPTIONS.parallelism })
  t.ok(sameParameters(DUMMY_HASH, ARGON2_OPTIONS), 'so an unknown user costs what a known one does')
  t.notOk(await verify(DUMMY_HASH, ''), 'it matches no likely password')
  t.notOk(await verify(DUMMY_HASH, 'password-123'))
})

t.test('sameParameters tells weaker or other hashes apart', async (t) => {
  t.notOk(sameParameters(DUMMY_HASH.replace('m=19456', 'm=4096'), ARGON2_OPTIONS), 'less memory')
  t.notOk(sameParameters(DUMMY_HASH.replace('t=2', 't=1'), ARGON2_OPTIONS), 'fewer passes')
  t.notOk(sameParameters(DUMMY_HASH.replace('$argon2id$', '$argon2i$'), ARGON2_OPTIONS), 'argon2i')
  t.notOk(sameParameters('$2b$12$abcdefghijklmnopqrstuv', ARGON2_OPTIONS), 'bcrypt')
  t.notOk(sameParameters('not a hash', ARGON2_OPTIONS), 'garbage')
})

t.test('an unknown user is verified against the dummy hash and never matches', async (t) => {
  const passwords = createPasswords()
  t.teardown(() => passwords.close())
  t.equal(await passwords.verify(undefined, 'anything-at-all'), false)
  t.equal(passwords.dummyVerifications, 1)
  const stored = await passwords.hash('password-123')
  t.equal(await passwords.verify(stored, 'password-123'), true, 'a real hash still verifies')
  t.equal(passwords.dummyVerifications, 1)
})

/** The nice value of each thread of this process (Linux), from /proc/self/task/<tid>/stat. */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

t.test('hashes run on a worker thread at the lowest priority, never on the event loop', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const passwords = createPasswords()
  t.teardown(() => passwords.close())
  const before = threadNices().filter((n) => n === 19).length
  const hashing = passwords.hash('password-123')
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const stored = await hashing
  clearInterval(timer)
  t.ok(threadNices().filter((n) => n === 19).length > before, 'a thread with nice 19 does the hashing')
  t.ok(ticks > 0, 'the event loop kept turning while it hashed')
  t.ok(await passwords.verify(stored, 'password-123'), 'and its hash verifies')
})

t.test('many logins at once beside reads: every one succeeds', async (t) => {
  const app = await build(t)
  const alice = await account(app, 'alice')
  const logins = Array.from({ length: 8 }, () => app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: alice.password } }))
  const reads = Array.from({ length: 40 }, () => app.inject({ url: '/me', headers: alice.headers }))
  const [loginReplies, readReplies] = await Promise.all([Promise.all(logins), Promise.all(reads)])
  t.same(loginReplies.map((r) => r.statusCode), Array(8).fill(200), 'every login')
  t.same(readReplies.map((r) => r.statusCode), Array(40).fill(200), 'every read')
})
