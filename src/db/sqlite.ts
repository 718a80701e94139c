import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as schema from './sqlite-schema.js'
import { ROOT } from '../paths.js'

export type Db = BetterSQLite3Database<typeof schema>

export interface SqliteHandle {
  dialect: 'sqlite'
  db: Db
  /** The driver's connection, for raw SQL in tests and scripts. */
  sqlite: Database.Database
  /** Throws when the database cannot be queried. */
  ping(): Promise<void>
  close(): void
}

const MIGRATIONS = join(ROOT, 'migrations/sqlite')

/** Opens the SQLite file (creating its folder), sets the pragmas API.md promises and migrates. */
export function openSqlite(path: string): SqliteHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  // A 2xx on a write means it is on disk: fsync the WAL on every commit.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  const ping = sqlite.prepare('SELECT 1')
  return {
    dialect: 'sqlite',
    db,
    sqlite,
    async ping() {
      ping.get()
    },
    close() {
      if (sqlite.open) sqlite.close()
    },
  }
}

/** The driver's constraint code (SQLITE_CONSTRAINT_UNIQUE...), looking through Drizzle's wrapper. */
export function constraintOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } }
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : e?.code
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT') ? code : undefined
}
