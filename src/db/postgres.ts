import pg from 'pg'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { join } from 'node:path'
import { ROOT } from '../paths.js'
import * as schema from './postgres-schema.js'

export type PgDb = NodePgDatabase<typeof schema>

export interface PgHandle {
  dialect: 'postgres'
  db: PgDb
  /** The driver's pool, for raw SQL in tests and scripts. */
  pool: pg.Pool
  /** Throws while the database cannot be queried; the pool reconnects by itself. */
  ping(): Promise<void>
  close(): Promise<void>
}

const MIGRATIONS = join(ROOT, 'migrations/postgres')
const LOCK_TIMEOUT_MS = 5000

/**
 * Opens a pool on `url` and migrates the connection's current schema (the first of its
 * search_path: `public` by default, or `?options=-c search_path=NAME`). Drizzle's
 * migrations table lives in that schema too, so schemas of one database are independent.
 */
export async function openPostgres(url: string, poolSize: number): Promise<PgHandle> {
  // keepAlive: a connection to a server that vanished is noticed and replaced, not kept forever.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, keepAlive: true })
  // An idle connection the server drops (restart, failover) is reported here; without a
  // listener it would crash the process. The pool opens a new one on next use.
  pool.on('error', () => {})
  // A row lock held elsewhere is waited for at most as long as SQLite's write lock (then a 503).
  pool.on('connect', (client) => void client.query(`SET lock_timeout = ${LOCK_TIMEOUT_MS}`).catch(() => {}))
  try {
    await migrateLocked(pool)
  } catch (err) {
    await pool.end()
    throw err
  }
  let closed = false
  return {
    dialect: 'postgres',
    db: drizzle(pool, { schema }),
    pool,
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

/** Migrates under a session advisory lock: instances starting together take turns. */
async function migrateLocked(pool: pg.Pool) {
  const client = await pool.connect()
  let failed: unknown
  try {
    const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')
    const current = rows[0]?.schema
    if (!current) throw new Error('DATABASE_URL: no schema of the search_path exists; create it first')
    const key = `stores-api migrations ${current}`
    // Instances starting together wait for each other's migrations however long they take.
    await client.query('SET lock_timeout = 0')
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key])
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS, migrationsSchema: current })
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key])
      await client.query(`SET lock_timeout = ${LOCK_TIMEOUT_MS}`)
    }
  } catch (err) {
    failed = err
    throw err
  } finally {
    // A connection that failed mid-way is discarded, and its lock with it.
    client.release(failed instanceof Error ? failed : undefined)
  }
}

/** PostgreSQL's SQLSTATE (23505 unique, 23503 foreign key...) and constraint, looking through Drizzle's wrapper. */
export function pgErrorOf(err: unknown): { code: string; constraint: string | undefined } | undefined {
  for (let e = err as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { code: e.code, constraint: typeof e.constraint === 'string' ? e.constraint : undefined }
    }
  }
  return undefined
}
