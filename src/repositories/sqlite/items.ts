import { eq } from 'drizzle-orm'
import { constraintOf, type Db } from '../../db/sqlite.js'
import { items } from '../../db/sqlite-schema.js'
import { ConflictError, MissingError } from '../errors.js'
import { nameKey, publicItem, toCents } from '../mapping.js'
import type { ItemsRepository } from '../types.js'
import { idAllocator } from './ids.js'
import { itemJson } from './item-json.js'

function writeError(err: unknown, name: string, storeId: number): never {
  const code = constraintOf(err)
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new MissingError(`Store ${storeId} not found.`)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ConflictError(`Store ${storeId} already has an item named "${name}".`)
  throw err
}

export function itemsRepository(db: Db): ItemsRepository {
  const json = itemJson(db)
  const ids = idAllocator(db, items, 'items', 'item')

  return {
    async listJson(q, view) {
      return json.page(q, view)
    },

    async getJson(id) {
      return json.one(id)
    },

    async create(input) {
      const values = {
        name: input.name,
        nameKey: nameKey(input.name),
        priceCents: toCents(input.price),
        storeId: input.store_id,
        createdAt: new Date(),
      }
      try {
        const row = db.transaction(
          (tx) => ids.create((id) => tx.insert(items).values({ id, ...values }).onConflictDoNothing({ target: items.id }).returning().get()),
          { behavior: 'immediate' },
        )
        return publicItem(row)
      } catch (err) {
        writeError(err, input.name, input.store_id)
      }
    },

    async put(id, input) {
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

    async delete(id) {
      return db.delete(items).where(eq(items.id, id)).run().changes > 0
    },
  }
}
