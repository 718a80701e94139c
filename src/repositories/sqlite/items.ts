import { and, asc, count, eq, getTableColumns, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { constraintOf, type Db } from '../../db/sqlite.js'
import { items } from '../../db/sqlite-schema.js'
import { ConflictError, MissingError } from '../errors.js'
import { listStatements, nameKey, publicItem, toCents } from '../mapping.js'
import { likeKey } from '../sql.js'
import type { ItemsRepository } from '../types.js'
import { idAllocator } from './ids.js'
import { rowReader } from './rows.js'

function writeError(err: unknown, name: string, storeId: number): never {
  const code = constraintOf(err)
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new MissingError(`Store ${storeId} not found.`)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ConflictError(`Store ${storeId} already has an item named "${name}".`)
  throw err
}

/**
 * The pages and the total of GET /item for one combination of filters: full items, or only
 * id and name (what an anonymous caller sees). Both are read with `.values()`.
 */
function prepareList(db: Db, byStore: boolean, byName: boolean) {
  const where = and(
    byStore ? eq(items.storeId, sql.placeholder('storeId')) : undefined,
    byName ? likeKey(items.nameKey, sql.placeholder('pattern')) : undefined,
  )
  const page = (fields: Record<string, SQLiteColumn>) =>
    db
      .select(fields)
      .from(items)
      .where(where)
      .orderBy(asc(items.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare()
  return {
    items: page(getTableColumns(items)),
    summaries: page({ id: items.id, name: items.name }),
    total: db.select({ n: count() }).from(items).where(where).prepare(),
  }
}

export function itemsRepository(db: Db): ItemsRepository {
  const byId = db.select().from(items).where(eq(items.id, sql.placeholder('id'))).prepare()
  const readItem = rowReader(items)
  const listOf = listStatements((byStore, byName) => prepareList(db, byStore, byName))
  const ids = idAllocator(db, items, 'items', 'item')

  return {
    async list(q) {
      const { list, params, page } = listOf(q)
      const data = list.items.values(page).map((values) => publicItem(readItem.read(values)))
      return { data, total: list.total.get(params)?.n ?? 0 }
    },

    async listSummaries(q) {
      const { list, params, page } = listOf(q)
      const data = list.summaries.values(page).map(([id, name]) => ({ id: id as number, name: name as string }))
      return { data, total: list.total.get(params)?.n ?? 0 }
    },

    async get(id) {
      const values = byId.values({ id })[0]
      return values && publicItem(readItem.read(values))
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
