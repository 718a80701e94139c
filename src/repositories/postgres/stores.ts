import { asc, count, eq, type SQL } from 'drizzle-orm'
import { pgErrorOf, type PgDb } from '../../db/postgres.js'
import { items, stores } from '../../db/postgres-schema.js'
import { ConflictError } from '../errors.js'
import { nameKey, publicItem, publicStore } from '../mapping.js'
import { containsKey } from '../sql.js'
import type { StoresRepository } from '../types.js'
import { idAllocator } from './ids.js'

export function storesRepository(db: PgDb): StoresRepository {
  const ids = idAllocator(db, stores, 'stores', 'store')
  return {
    async list(q) {
      const where: SQL | undefined = q.name ? containsKey(stores.nameKey, q.name) : undefined
      const rows = await db.select().from(stores).where(where).orderBy(asc(stores.id)).limit(q.limit).offset(q.offset)
      const [total] = await db.select({ n: count() }).from(stores).where(where)
      return { data: rows.map(publicStore), total: total?.n ?? 0 }
    },

    async getWithItems(id) {
      const [row] = await db.select().from(stores).where(eq(stores.id, id))
      if (!row) return undefined
      const rows = await db.select().from(items).where(eq(items.storeId, id)).orderBy(asc(items.id))
      return { ...publicStore(row), items: rows.map(publicItem) }
    },

    async create(name) {
      try {
        const values = { name, nameKey: nameKey(name), createdAt: new Date() }
        const row = await ids.create(async (id) => {
          const [inserted] = await db.insert(stores).values({ id, ...values }).onConflictDoNothing({ target: stores.id }).returning()
          return inserted
        })
        return publicStore(row)
      } catch (err) {
        if (pgErrorOf(err)?.code === '23505') throw new ConflictError(`A store named "${name}" already exists.`)
        throw err
      }
    },

    async delete(id) {
      return ((await db.delete(stores).where(eq(stores.id, id))).rowCount ?? 0) > 0
    },
  }
}
