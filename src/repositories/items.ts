import { and, asc, count, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { constraintOf } from '../db/client.js'
import { items } from '../db/schema.js'
import { conflict, notFound } from '../errors.js'
import type { Item } from '../../schemas/item.js'
import { containsKey, iso, nameKey } from './keys.js'

type ItemRow = typeof items.$inferSelect

/** Prices travel as JSON numbers with at most two decimals and are stored as integer cents. */
export const toCents = (price: number) => Math.round(price * 100)
export const fromCents = (cents: number) => cents / 100

export const publicItem = (row: ItemRow): Item => ({
  id: row.id,
  name: row.name,
  price: fromCents(row.priceCents),
  store_id: row.storeId,
  created_at: iso(row.createdAt),
})

function writeError(err: unknown, name: string, storeId: number): never {
  const code = constraintOf(err)
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw notFound(`Store ${storeId}`)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict(`Store ${storeId} already has an item named "${name}".`)
  throw err
}

export function itemsRepository(db: Db) {
  return {
    async list(q: { limit: number; offset: number; name?: string | undefined; store_id?: number | undefined }) {
      const filters: SQL[] = []
      if (q.store_id !== undefined) filters.push(eq(items.storeId, q.store_id))
      if (q.name) filters.push(containsKey(items.nameKey, q.name))
      const where = and(...filters)
      const rows = db.select().from(items).where(where).orderBy(asc(items.id)).limit(q.limit).offset(q.offset).all()
      const total = db.select({ n: count() }).from(items).where(where).get()?.n ?? 0
      return { data: rows.map(publicItem), total }
    },

    async get(id: number) {
      const row = db.select().from(items).where(eq(items.id, id)).get()
      return row && publicItem(row)
    },

    async create(input: { name: string; price: number; store_id: number }) {
      try {
        const row = db
          .insert(items)
          .values({
            name: input.name,
            nameKey: nameKey(input.name),
            priceCents: toCents(input.price),
            storeId: input.store_id,
            createdAt: new Date(),
          })
          .returning()
          .get()
        return publicItem(row)
      } catch (err) {
        writeError(err, input.name, input.store_id)
      }
    },

    /**
     * Updates item `id`, or creates it with that id when absent (then `store_id` is required).
     * Returns the item and whether it was created.
     */
    async put(id: number, input: { name: string; price: number; store_id?: number | undefined }) {
      const storeId = input.store_id
      try {
        return db.transaction(
          (tx) => {
            const existing = tx.select().from(items).where(eq(items.id, id)).get()
            const values = { name: input.name, nameKey: nameKey(input.name), priceCents: toCents(input.price) }
            if (existing) {
              const row = tx
                .update(items)
                .set({ ...values, storeId: storeId ?? existing.storeId })
                .where(eq(items.id, id))
                .returning()
                .get()
              return { item: publicItem(row), created: false }
            }
            if (storeId === undefined) return undefined
            const row = tx
              .insert(items)
              .values({ id, ...values, storeId, createdAt: new Date() })
              .returning()
              .get()
            return { item: publicItem(row), created: true }
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        writeError(err, input.name, storeId ?? 0)
      }
    },

    async delete(id: number): Promise<boolean> {
      return db.delete(items).where(eq(items.id, id)).run().changes > 0
    },
  }
}
export type ItemsRepository = ReturnType<typeof itemsRepository>
