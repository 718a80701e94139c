import { and, asc, eq, inArray, lte } from 'drizzle-orm'
import type { PgDb } from '../../db/postgres.js'
import { outbox } from '../../db/postgres-schema.js'
import { outboxDue, outboxLease } from '../sql.js'
import type { OutboxRepository } from '../types.js'
import { storeLink } from './email-links.js'

/** Thrown inside a transaction to roll it back when the lease was lost meanwhile. */
class LeaseLost extends Error {}

export function outboxRepository(db: PgDb): OutboxRepository {
  const leased = (id: string, leaseId: string) => and(eq(outbox.id, id), eq(outbox.leaseId, leaseId))

  return {
    async add(row, now) {
      await db.insert(outbox).values({ ...row, availableAt: now, createdAt: now })
    },

    async claim(leaseId, now, leaseUntil) {
      // SKIP LOCKED: instances claiming at once each get a different row, none waits for another.
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(outboxDue(outbox, now))
        .orderBy(asc(outbox.availableAt))
        .limit(1)
        .for('update', { skipLocked: true })
      const [row] = await db
        .update(outbox)
        .set(outboxLease(outbox, leaseId, leaseUntil))
        .where(inArray(outbox.id, due))
        .returning()
      return row
    },

    async remove(id, leaseId) {
      return (await db.delete(outbox).where(leased(id, leaseId))).rowCount === 1
    },

    async release(id, leaseId, error, availableAt) {
      const next = availableAt ? { availableAt, status: 'pending' as const } : { status: 'failed' as const }
      return (await db.update(outbox).set({ ...next, leaseId: null, lastError: error }).where(leased(id, leaseId))).rowCount === 1
    },

    async resolve(id, leaseId, link, mailPayload, now) {
      try {
        await db.transaction(async (tx) => {
          const replaced = await tx
            .update(outbox)
            .set({ kind: 'mail', payload: mailPayload, attempts: 0, availableAt: now, leaseId: null, lastError: null })
            .where(leased(id, leaseId))
          if (replaced.rowCount !== 1) throw new LeaseLost()
          await storeLink(tx, link, now)
        })
        return true
      } catch (err) {
        if (err instanceof LeaseLost) return false
        throw err
      }
    },

    async pruneFailed(before) {
      return (await db.delete(outbox).where(and(eq(outbox.status, 'failed'), lte(outbox.createdAt, before)))).rowCount ?? 0
    },
  }
}
