import fp from 'fastify-plugin'
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'

// OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane. `Algorithm` is a const
// enum the isolated-module build cannot read; 2 is its Argon2id member.
const ARGON2ID = 2 as NonNullable<Options['algorithm']>
export const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export interface Passwords {
  hash(password: string): Promise<string>
  /** Verifies against the stored hash, or against a dummy hash when there is none, so both cost the same. */
  verify(storedHash: string | undefined, password: string): Promise<boolean>
  /** True when the hash was made with other parameters than today's. */
  needsRehash(storedHash: string): boolean
  /** How many verifications ran against the dummy hash (unknown users). */
  readonly dummyVerifications: number
}

/** Runs at most `limit` tasks at once; the others wait their turn, first come first served. */
export function limiter(limit: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running < limit) running++
    else await new Promise<void>((resolve) => waiting.push(resolve))
    try {
      return await task()
    } finally {
      // A finished task hands its slot straight to the next in line, so none can jump the queue.
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

/**
 * What unknown users' logins are verified against: an argon2id hash of random bytes nobody
 * kept, made with ARGON2_OPTIONS. It only costs a verification; a constant, so no start spends
 * a hash making one. test/passwords.test.ts checks its parameters.
 */
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$ren+f8iKXKj4nmUxcm7UsQ$PXGFL8MM7IPwhjEyBAnDRulrZW2YvYLyo05/JwiMgXQ'

/** True when `storedHash` is an argon2id hash made with `options`' memory, passes and lanes. */
export function sameParameters(storedHash: string, options: Options): boolean {
  if (!storedHash.startsWith('$argon2id$')) return false
  try {
    const p = parseOptions(storedHash)
    return p.memoryCost === options.memoryCost && p.timeCost === options.timeCost && p.parallelism === options.parallelism
  } catch {
    return false
  }
}

/**
 * Hashing runs on libuv's thread pool (4 threads), each run holding 19 MiB. More runs at once
 * than the process has cores finish no sooner; they only multiply the memory and take the
 * threads file I/O needs. So at most one run per available core; the rest queue.
 */
export function createPasswords(options: Options = ARGON2_OPTIONS, concurrency = availableParallelism()): Passwords {
  const run = limiter(Math.max(1, concurrency))
  // Ready before the first unknown-user login, so that it costs what the others do: the
  // constant when the parameters are ARGON2_OPTIONS, else (tests' cheaper ones) made up front.
  const dummy = sameParameters(DUMMY_HASH, options)
    ? Promise.resolve(DUMMY_HASH)
    : run(() => hash(randomBytes(16).toString('hex'), options))
  let dummyVerifications = 0
  return {
    hash: (password) => run(() => hash(password, options)),
    async verify(storedHash, password) {
      if (storedHash === undefined) {
        dummyVerifications++
        const dummyHash = await dummy
        await run(() => verify(dummyHash, password)).catch(() => false)
        return false
      }
      return run(() => verify(storedHash, password)).catch(() => false)
    },
    needsRehash(storedHash) {
      return !sameParameters(storedHash, options)
    },
    get dummyVerifications() {
      return dummyVerifications
    },
  }
}

export default fp(
  async (app) => {
    app.decorate('passwords', createPasswords())
  },
  { name: 'passwords' },
)
