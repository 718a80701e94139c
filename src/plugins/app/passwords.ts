import fp from 'fastify-plugin'
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'

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

export function createPasswords(options: Options = ARGON2_OPTIONS): Passwords {
  // Made once, up front, so the first unknown-user login costs what the others do.
  const dummy = hash(randomBytes(16).toString('hex'), options)
  let dummyVerifications = 0
  return {
    hash: (password) => hash(password, options),
    async verify(storedHash, password) {
      if (storedHash === undefined) {
        dummyVerifications++
        await verify(await dummy, password).catch(() => false)
        return false
      }
      return verify(storedHash, password).catch(() => false)
    },
    needsRehash(storedHash) {
      if (!storedHash.startsWith('$argon2id$')) return true
      try {
        const p = parseOptions(storedHash)
        return p.memoryCost !== options.memoryCost || p.timeCost !== options.timeCost || p.parallelism !== options.parallelism
      } catch {
        return true
      }
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
