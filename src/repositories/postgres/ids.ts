import { sql } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { PgDb } from '../../db/postgres.js'
import { ConflictError } from '../errors.js'
import { noIdLeft } from '../mapping.js'
import { firstFreeId } from '../sql.js'

/** How many ids a POST tries when concurrent PUTs keep taking the free one it found. */
const ATTEMPTS = 5

/**
 * New ids of `table` from its identity sequence (which cycles after MAX_ID), skipping ids
 * already taken by PUT /item/{id}: a taken id moves the sequence to the next free one, so no id
 * a client picks can stop creation. Inserts conflicting on the id are retried, never failed.
 */
export function idAllocator(db: PgDb, table: PgTable, tableName: string, what: string) {
  const sequence = sql`pg_get_serial_sequence(${tableName}, 'id')::regclass`
  const free = async (from: number) => (await db.execute<{ id: number | null }>(firstFreeId(table, from))).rows[0]?.id ?? null

  return {
    /** `insert(id)` returns the new row, or undefined when that id is taken. */
    async create<T>(insert: (id: number) => Promise<T | undefined>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const { rows } = await db.execute<{ id: number }>(sql`SELECT nextval(${sequence})::integer AS id`)
        const candidate = rows[0]!.id
        const row = await insert(candidate)
        if (row !== undefined) return row
        const id = (await free(candidate)) ?? (await free(1))
        if (id === null) throw new ConflictError(noIdLeft(what))
        // The sequence continues after the id taken here (a concurrent POST may have moved it on: harmless).
        await db.execute(sql`SELECT setval(${sequence}, ${id})`)
        const taken = await insert(id)
        if (taken !== undefined || attempt >= ATTEMPTS) {
          if (taken === undefined) throw new ConflictError(`Concurrent writes took every free ${what} id tried; try again.`)
          return taken
        }
      }
    },
  }
}
