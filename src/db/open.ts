import type { Config } from '../config.js'
import { openDatabase, type SqliteHandle } from './client.js'
import { openPostgres, type PgHandle } from './postgres.js'

/** The open, migrated database: SQLite by default, PostgreSQL for a `postgres://` URL. */
export type DbHandle = SqliteHandle | PgHandle

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url)

export async function connect(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Promise<DbHandle> {
  return isPostgresUrl(config.databaseUrl)
    ? openPostgres(config.databaseUrl, config.databasePoolSize)
    : openDatabase(config.databaseUrl)
}
