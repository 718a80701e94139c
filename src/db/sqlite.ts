import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as schema from './sqlite-schema.js'
import { ROOT } from '../paths.js'
import { migrateSqlite } from './sqlite-migrate.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

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

/** How long a start waits for another connection's write lock (opening, migrating). */
const START_BUSY_TIMEOUT_MS = 5000

/**
 * Opens the SQLite file (creating its folder), sets the pragmas the contract promises and
 * migrates. While starting, a lock held elsewhere is waited for; once started, busy_timeout is 0:
 * a request never waits for the lock on the event loop (see sqlite/busy.ts in the repositories).
 */
export function openSqlite(path: string): SqliteHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  // First, so that the other pragmas and the migrations wait for a lock instead of failing.
  sqlite.pragma(`busy_timeout = ${START_BUSY_TIMEOUT_MS}`)
  sqlite.pragma('journal_mode = WAL')
  // A 2xx on a write means it is on disk: fsync the WAL on every commit.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  migrateSqlite(sqlite, MIGRATIONS)
  sqlite.pragma('busy_timeout = 0')
  const db = drizzle(sqlite, { schema })
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
