import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export const SECRET_FILE = './data/jwt-secret'

/**
 * The JWT key outside production when none is configured: generated once and kept in
 * ./data/jwt-secret (mode 0600) so that restarts keep sessions valid.
 */
export function persistedSecret(file = SECRET_FILE): { secret: string; created: boolean } {
  try {
    const secret = readFileSync(file, 'utf8').trim()
    if (secret.length >= 32) return { secret, created: false }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(dirname(file), { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return { secret, created: true }
}
