import type Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'

const TABLE = '"__drizzle_migrations"'

/**
 * Drizzle's migrations, applied the way its migrator records them (same table, hash and time),
 * but in one BEGIN IMMEDIATE transaction that also reads what is applied: processes starting at
 * once on one file take turns (busy_timeout), and the later ones find nothing left to do.
 * (Drizzle's own migrator reads before its BEGIN, so two would both apply the first migration.)
 */
export function migrateSqlite(sqlite: Database.Database, migrationsFolder: string) {
  const migrations = readMigrationFiles({ migrationsFolder })
  const apply = sqlite.transaction(() => {
    sqlite.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
    const last = sqlite.prepare(`SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`).pluck().get()
    const record = sqlite.prepare(`INSERT INTO ${TABLE} ("hash", "created_at") VALUES (?, ?)`)
    for (const migration of migrations) {
      if (last !== undefined && Number(last) >= migration.folderMillis) continue
      for (const statement of migration.sql) if (statement.trim()) sqlite.exec(statement)
      record.run(migration.hash, migration.folderMillis)
    }
  })
  apply.immediate()
}
