// Applies the migrations to DATABASE_URL, SQLite or PostgreSQL (the service also does this at start).
import { loadConfig, ConfigError } from '../src/config.js'
import { connect } from '../src/db/connect.js'

try {
  process.loadEnvFile()
} catch {
  // no .env
}
try {
  const config = loadConfig(process.env)
  await (await connect(config)).close()
  console.log(`Migrations applied to ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}.`)
} catch (err) {
  console.error(err instanceof ConfigError ? `Invalid configuration: ${err.message}` : err)
  process.exit(1)
}
