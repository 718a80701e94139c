// Rotates the signing key of JWT_ALGORITHM=EdDSA|ES256|RS256 on DATABASE_URL, without a running
// server: npm run keys:rotate. Running instances sign with the new key within 30 seconds; tokens
// of the previous one stay valid until they expire. Prints the new kid as JSON.
import { ConfigError, loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'
import { openKeys, RotationUnsupported, type KeysLog } from '../src/keys/index.js'
import { repositoriesFor } from '../src/repositories/index.js'
import { persistedSecret } from '../src/secret.js'

/** Log lines as the server writes them (JSON), on stderr: stdout carries the result alone. */
const line = (level: string) => (fields: unknown, msg?: string) => console.error(JSON.stringify({ level, ...(fields as object), msg }))
const log: KeysLog = { info: line('info'), warn: line('warn'), error: line('error') }

async function main() {
  try {
    process.loadEnvFile()
  } catch {
    // no .env
  }
  const config = loadConfig(process.env)
  // The same secret the server would seal with: JWT_SECRET_KEY, or outside production the generated one.
  const jwtSecret = config.jwtSecret ?? persistedSecret().secret
  const handle = await connect(config)
  try {
    const { signingKeys } = await repositoriesFor(handle)
    const keys = await openKeys({ ...config, jwtSecret }, signingKeys, log)
    const { kid, previousKid } = await keys.rotate()
    log.info({ event: 'key_rotated', kid, previous_kid: previousKid, alg: keys.algorithm, by: 'npm run keys:rotate' }, 'key rotated')
    console.log(JSON.stringify({ kid, previous_kid: previousKid ?? null, alg: keys.algorithm }))
  } finally {
    await handle.close()
  }
}

try {
  await main()
} catch (err) {
  if (err instanceof RotationUnsupported) console.error(`keys:rotate: ${err.message}`)
  else if (err instanceof ConfigError) console.error(`Invalid configuration: ${err.message}`)
  else console.error(err)
  process.exit(err instanceof RotationUnsupported ? 2 : 1)
}
