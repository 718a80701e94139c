import { eq, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/sqlite.js'
import { idCounters } from '../../db/sqlite-schema.js'
import { ConflictError } from '../errors.js'
import { MAX_ID, noIdLeft } from '../mapping.js'
import { firstFreeId } from '../sql.js'

/**
 * New ids of `table` from its own counter (id_counters), skipping ids already taken (by
 * PUT /item/{id}) and wrapping around after MAX_ID, so that no id a client picks can stop
 * creation. Call `create` inside a BEGIN IMMEDIATE transaction: the counter and the insert are
 * then one atomic step.
 */
export function idAllocator(db: Db, table: SQLiteTable, name: string, what: string) {
  const next = db
    .insert(idCounters)
    .values({ name, lastId: 1 })
    .onConflictDoUpdate({
      target: idCounters.name,
      set: { lastId: sql`CASE WHEN ${idCounters.lastId} >= ${MAX_ID} THEN 1 ELSE ${idCounters.lastId} + 1 END` },
    })
    .returning({ id: idCounters.lastId })
    .prepare()
  const moveTo = db.update(idCounters).set({ lastId: sql`${sql.placeholder('id')}` }).where(eq(idCounters.name, name)).prepare()
  const free = (from: number) => db.get<{ id: number | null }>(firstFreeId(table, from)).id

  return {
    /** `insert(id)` returns the new row, or undefined when that id is taken. */
    create<T>(insert: (id: number) => T | undefined): T {
      const candidate = next.get()!.id
      const row = insert(candidate)
      if (row !== undefined) return row
      const id = free(candidate) ?? free(1)
      if (id === null) throw new ConflictError(noIdLeft(what))
      moveTo.run({ id })
      return insert(id)!
    },
  }
}
