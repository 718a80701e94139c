import { asc, count, eq, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { constraintOf } from '../db/client.js'
import { items, stores } from '../db/schema.js'
import { conflict } from '../errors.js'
import type { Store } from '../../schemas/store.js'
import { containsKey, iso, nameKey } from './keys.js'
import { publicItem } from './items.js'

type StoreRow = typeof stores.$inferSelect

export const publicStore = (row: StoreRow): Store => ({ id: row.id, name: row.name, created_at: iso(row.createdAt) })

export function storesRepository(db: Db) {
  return {
    async list(q: { limit: number; offset: number; name?: string | undefined }) {
      const where: SQL | undefined = q.name ? containsKey(stores.nameKey, q.name) : undefined
      const rows = db.select().from(stores).where(where).orderBy(asc(stores.id)).limit(q.limit).offset(q.offset).all()
      const total = db.select({ n: count() }).from(stores).where(where).get()?.n ?? 0
      return { data: rows.map(publicStore), total }
    },

    async getWithItems(id: number) {
      const row = db.select().from(stores).where(eq(stores.id, id)).get()
      if (!row) return undefined
      const rows = db.select().from(items).where(eq(items.storeId, id)).orderBy(asc(items.id)).all()
      return { ...publicStore(row), items: rows.map(publicItem) }
    },

    async create(name: string) {
      try {
        const row = db.insert(stores).values({ name, nameKey: nameKey(name), createdAt: new Date() }).returning().get()
        return publicStore(row)
      } catch (err) {
        if (constraintOf(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict(`A store named "${name}" already exists.`)
        throw err
      }
    },

    /** Deletes the store and, by cascade, its items. */
    async delete(id: number): Promise<boolean> {
      return db.delete(stores).where(eq(stores.id, id)).run().changes > 0
    },
  }
}
export type StoresRepository = ReturnType<typeof storesRepository>
