import { asc, count, eq, type SQL } from 'drizzle-orm'
import { constraintOf, type Db } from '../../db/sqlite.js'
import { items, stores } from '../../db/sqlite-schema.js'
import { ConflictError } from '../errors.js'
import { nameKey, publicItem, publicStore } from '../mapping.js'
import { containsKey } from '../sql.js'
import type { StoresRepository } from '../types.js'
import { idAllocator } from './ids.js'

export function storesRepository(db: Db): StoresRepository {
  const ids = idAllocator(db, stores, 'stores', 'store')
  return {
    async list(q) {
      const where: SQL | undefined = q.name ? containsKey(stores.nameKey, q.name) : undefined
      const rows = db.select().from(stores).where(where).orderBy(asc(stores.id)).limit(q.limit).offset(q.offset).all()
      const total = db.select({ n: count() }).from(stores).where(where).get()?.n ?? 0
      return { data: rows.map(publicStore), total }
    },

    async getWithItems(id) {
      const row = db.select().from(stores).where(eq(stores.id, id)).get()
      if (!row) return undefined
      const rows = db.select().from(items).where(eq(items.storeId, id)).orderBy(asc(items.id)).all()
      return { ...publicStore(row), items: rows.map(publicItem) }
    },

    async create(name) {
      try {
        const values = { name, nameKey: nameKey(name), createdAt: new Date() }
        const row = db.transaction(
          (tx) => ids.create((id) => tx.insert(stores).values({ id, ...values }).onConflictDoNothing({ target: stores.id }).returning().get()),
          { behavior: 'immediate' },
        )
        return publicStore(row)
      } catch (err) {
        if (constraintOf(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw new ConflictError(`A store named "${name}" already exists.`)
        throw err
      }
    },

    async delete(id) {
      return db.delete(stores).where(eq(stores.id, id)).run().changes > 0
    },
  }
}
