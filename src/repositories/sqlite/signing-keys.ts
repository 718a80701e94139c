import { and, asc, eq, isNull, lte } from 'drizzle-orm'
import { constraintOf, type Db } from '../../db/sqlite.js'
import { signingKeys } from '../../db/sqlite-schema.js'
import type { SigningKeysRepository } from '../types.js'

export function signingKeysRepository(db: Db): SigningKeysRepository {
  return {
    async list() {
      return db.select().from(signingKeys).orderBy(asc(signingKeys.generation)).all()
    },

    async install(row, previousKid, retire) {
      try {
        // IMMEDIATE: the write lock from the start, so the check and the insert see one state.
        return db.transaction(
          (tx) => {
            if (previousKid !== null) {
              const retired = tx
                .update(signingKeys)
                .set({ retiredAt: retire.at, verifyUntil: retire.verifyUntil })
                .where(and(eq(signingKeys.kid, previousKid), isNull(signingKeys.retiredAt)))
                .run()
              if (retired.changes !== 1) return false
            }
            tx.insert(signingKeys).values(row).run()
            return true
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        // Another instance took this generation (or made this very key) first.
        if (constraintOf(err)) return false
        throw err
      }
    },

    async deleteExpired(now) {
      return db.delete(signingKeys).where(lte(signingKeys.verifyUntil, now)).run().changes
    },
  }
}
