import { and, asc, count, eq, getTableColumns, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../db/client.js'
import { constraintOf } from '../db/client.js'
import { items } from '../db/schema.js'
import { rowReader } from '../db/rows.js'
import { conflict, notFound } from '../errors.js'
import type { Item } from '../../schemas/item.js'
import type { ItemListQuery } from './types.js'
import { containsPattern, iso, likeKey, nameKey } from './keys.js'

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

/** The largest id a path accepts (API.md): POST /item never makes an item past it. */
export const MAX_ITEM_ID = 2147483647

/** New ids follow the largest one; once PUT /item/{id} has taken the last, POST /item has none. */
export const noItemIdLeft = () =>
  conflict(`No item id is left: new items get ids after the largest one, ${MAX_ITEM_ID}. PUT /item/{id} can still use a free id.`)

function writeError(err: unknown, name: string, storeId: number): never {
  const code = constraintOf(err)
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw notFound(`Store ${storeId}`)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict(`Store ${storeId} already has an item named "${name}".`)
  throw err
}

/**
 * The pages and the total of GET /item, prepared once per combination of filters: full items,
 * or only id and name (what an anonymous caller sees). Both are read with `.values()`.
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

/**
 * GET /item's statements for a query, prepared on first use for its combination of filters
 * (by store, by name; `prepare` makes them for one dialect), with the query's parameters: those
 * of the total, and those of the page.
 */
export function listStatements<L>(prepare: (byStore: boolean, byName: boolean) => L) {
  const lists = new Map<string, L>()
  return (q: ItemListQuery) => {
    const byStore = q.store_id !== undefined
    const byName = Boolean(q.name)
    const key = `${byStore}${byName}`
    let list = lists.get(key)
    if (!list) lists.set(key, (list = prepare(byStore, byName)))
    const params = { storeId: q.store_id, pattern: q.name ? containsPattern(q.name) : undefined }
    return { list, params, page: { ...params, limit: q.limit, offset: q.offset } }
  }
}

export function itemsRepository(db: Db) {
  const byId = db.select().from(items).where(eq(items.id, sql.placeholder('id'))).prepare()
  const readItem = rowReader(items)
  const listOf = listStatements((byStore, byName) => prepareList(db, byStore, byName))

  return {
    async list(q: ItemListQuery) {
      const { list, params, page } = listOf(q)
      const data = list.items.values(page).map((values) => publicItem(readItem.read(values)))
      return { data, total: list.total.get(params)?.n ?? 0 }
    },

    /** Only id and name of each item: the anonymous view of GET /item. */
    async listSummaries(q: ItemListQuery) {
      const { list, params, page } = listOf(q)
      const data = list.summaries.values(page).map(([id, name]) => ({ id: id as number, name: name as string }))
      return { data, total: list.total.get(params)?.n ?? 0 }
    },

    async get(id: number) {
      const values = byId.values({ id })[0]
      return values && publicItem(readItem.read(values))
    },

    async create(input: { name: string; price: number; store_id: number }) {
      try {
        const row = db.transaction((tx) => {
          const row = tx
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
          // AUTOINCREMENT goes past 2147483647 where paths stop: undone, as PostgreSQL refuses it.
          if (row.id > MAX_ITEM_ID) throw noItemIdLeft()
          return row
        })
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
