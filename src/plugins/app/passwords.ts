import fp from 'fastify-plugin'
import { parseOptions, type Options } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import { argon2Pool, type Argon2Pool } from '../../passwords/pool.js'

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
 * Hashing and verifying on `pool` (low-priority worker threads: a login never makes other
 * requests wait for the core). Unknown users are verified against a dummy hash, so both cost the same.
 */
export function createPasswords(options: Options = ARGON2_OPTIONS, pool: Argon2Pool = argon2Pool()): Passwords & { close(): Promise<void> } {
  // Ready before the first unknown-user login, so that it costs what the others do: the
  // constant when the parameters are ARGON2_OPTIONS, else (tests' cheaper ones) made up front.
  const dummy = sameParameters(DUMMY_HASH, options) ? Promise.resolve(DUMMY_HASH) : pool.hash(randomBytes(16).toString('hex'), options)
  let dummyVerifications = 0
  return {
    hash: (password) => pool.hash(password, options),
    async verify(storedHash, password) {
      if (storedHash === undefined) {
        dummyVerifications++
        await pool.verify(await dummy, password).catch(() => false)
        return false
      }
      return pool.verify(storedHash, password).catch(() => false)
    },
    needsRehash(storedHash) {
      return !sameParameters(storedHash, options)
    },
    get dummyVerifications() {
      return dummyVerifications
    },
    close: () => pool.close(),
  }
}

export default fp(
  async (app) => {
    const passwords = createPasswords()
    app.decorate('passwords', passwords)
    app.addHook('onClose', () => passwords.close())
  },
  { name: 'passwords' },
)
