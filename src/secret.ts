import { randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export const SECRET_FILE = './data/jwt-secret'

function read(file: string): string | undefined {
  try {
    const secret = readFileSync(file, 'utf8').trim()
    return secret.length >= 32 ? secret : ''
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return undefined
  }
}

/**
 * The JWT key outside production when none is configured: generated once and kept in
 * ./data/jwt-secret (mode 0600) so that restarts keep sessions valid. The file appears whole or
 * not at all (written aside, then linked into place), so processes starting at once from one
 * folder all end up with the one key the first of them made.
 */
export function persistedSecret(file = SECRET_FILE): { secret: string; created: boolean } {
  const existing = read(file)
  if (existing) return { secret: existing, created: false }
  mkdirSync(dirname(file), { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(aside, secret + '\n', { mode: 0o600 })
  try {
    // A file too short to be a key is replaced; a missing one is created unless another process just did.
    if (existing === '') renameSync(aside, file)
    else linkSync(aside, file)
    return { secret, created: true }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return { secret: read(file) || secret, created: false }
  } finally {
    try {
      unlinkSync(aside)
    } catch {
      // renamed into place
    }
  }
}
