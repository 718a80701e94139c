import type { Config } from '../config.js'
import { openSqlite, type SqliteHandle } from './sqlite.js'
import type { PgHandle } from './postgres.js'

/** The open, migrated database: SQLite by default, PostgreSQL for a `postgres://` URL. */
export type DbHandle = SqliteHandle | PgHandle

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url)

export async function connect(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Promise<DbHandle> {
  if (!isPostgresUrl(config.databaseUrl)) return openSqlite(config.databaseUrl)
  // Loaded only for PostgreSQL: pg and its Drizzle driver would otherwise slow every SQLite start.
  const { openPostgres } = await import('./postgres.js')
  return openPostgres(config.databaseUrl, config.databasePoolSize)
}
