import { and, asc, eq, inArray, lte } from 'drizzle-orm'
import type { Db } from '../../db/sqlite.js'
import { outbox } from '../../db/sqlite-schema.js'
import { outboxDue, outboxLease } from '../sql.js'
import type { OutboxRepository } from '../types.js'
import { storeLink } from './email-links.js'

/** Thrown inside a transaction to roll it back when the lease was lost meanwhile. */
class LeaseLost extends Error {}

export function outboxRepository(db: Db): OutboxRepository {
  const leased = (id: string, leaseId: string) => and(eq(outbox.id, id), eq(outbox.leaseId, leaseId))

  return {
    async add(row, now) {
      db.insert(outbox)
        .values({ ...row, availableAt: now, createdAt: now })
        .run()
    },

    async claim(leaseId, now, leaseUntil) {
      // One UPDATE under SQLite's write lock: of several processes on the file, one gets the row.
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(outboxDue(outbox, now))
        .orderBy(asc(outbox.availableAt))
        .limit(1)
      return db
        .update(outbox)
        .set(outboxLease(outbox, leaseId, leaseUntil))
        .where(inArray(outbox.id, due))
        .returning()
        .get()
    },

    async remove(id, leaseId) {
      return db.delete(outbox).where(leased(id, leaseId)).run().changes === 1
    },

    async release(id, leaseId, error, availableAt) {
      const next = availableAt ? { availableAt, status: 'pending' as const } : { status: 'failed' as const }
      return db.update(outbox).set({ ...next, leaseId: null, lastError: error }).where(leased(id, leaseId)).run().changes === 1
    },

    async resolve(id, leaseId, link, mailPayload, now) {
      try {
        db.transaction(
          (tx) => {
            const replaced = tx
              .update(outbox)
              .set({ kind: 'mail', payload: mailPayload, attempts: 0, availableAt: now, leaseId: null, lastError: null })
              .where(leased(id, leaseId))
              .run()
            if (replaced.changes !== 1) throw new LeaseLost()
            storeLink(tx, link, now)
          },
          { behavior: 'immediate' },
        )
        return true
      } catch (err) {
        if (err instanceof LeaseLost) return false
        throw err
      }
    },

    async pruneFailed(before) {
      return db.delete(outbox).where(and(eq(outbox.status, 'failed'), lte(outbox.createdAt, before))).run().changes
    },
  }
}
