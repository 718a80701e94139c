// Applies the migrations to DATABASE_URL (the service also does this at start).
import { loadConfig, ConfigError } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'

try {
  process.loadEnvFile()
} catch {
  // no .env
}
try {
  const config = loadConfig(process.env)
  openDatabase(config.databaseUrl).close()
  console.log(`Migrations applied to ${config.databaseUrl}.`)
} catch (err) {
  console.error(err instanceof ConfigError ? `Invalid configuration: ${err.message}` : err)
  process.exit(1)
}
