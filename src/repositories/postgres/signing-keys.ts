import { and, asc, eq, isNull, lte } from 'drizzle-orm'
import { pgErrorOf, type PgDb } from '../../db/postgres.js'
import { signingKeys } from '../../db/postgres-schema.js'
import type { SigningKeysRepository } from '../types.js'

export function signingKeysRepository(db: PgDb): SigningKeysRepository {
  return {
    async list() {
      return db.select().from(signingKeys).orderBy(asc(signingKeys.generation))
    },

    async install(row, previousKid, retire) {
      try {
        return await db.transaction(async (tx) => {
          if (previousKid !== null) {
            // A concurrent rotation holds this row's lock until it commits; this UPDATE then
            // re-checks retired_at against the committed row and matches nothing.
            const retired = await tx
              .update(signingKeys)
              .set({ retiredAt: retire.at, verifyUntil: retire.verifyUntil })
              .where(and(eq(signingKeys.kid, previousKid), isNull(signingKeys.retiredAt)))
            if (retired.rowCount !== 1) return false
          }
          // Two first keys at once: the second insert waits on the unique index, then fails.
          await tx.insert(signingKeys).values(row)
          return true
        })
      } catch (err) {
        if (pgErrorOf(err)?.code === '23505') return false
        throw err
      }
    },

    async deleteExpired(now) {
      return (await db.delete(signingKeys).where(lte(signingKeys.verifyUntil, now))).rowCount ?? 0
    },
  }
}
