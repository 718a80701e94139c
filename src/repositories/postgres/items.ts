import { and, asc, count, eq, sql } from 'drizzle-orm'
import { pgErrorOf, type PgDb } from '../../db/postgres.js'
import { items } from '../../db/postgres-schema.js'
import { ConflictError, MissingError } from '../errors.js'
import { itemJsonText, listStatements, nameKey, publicItem, toCents } from '../mapping.js'
import { likeKey } from '../sql.js'
import type { ItemsRepository } from '../types.js'
import { idAllocator } from './ids.js'

/**
 * The pages and the total of GET /item for one combination of filters, as named prepared
 * statements: PostgreSQL parses each once per connection, and Drizzle builds its SQL once.
 */
function prepareList(db: PgDb, byStore: boolean, byName: boolean) {
  const where = and(
    byStore ? eq(items.storeId, sql.placeholder('storeId')) : undefined,
    byName ? likeKey(items.nameKey, sql.placeholder('pattern')) : undefined,
  )
  const name = `items_${byStore ? 's' : ''}${byName ? 'n' : ''}`
  return {
    items: db
      .select()
      .from(items)
      .where(where)
      .orderBy(asc(items.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(`${name}_items`),
    summaries: db
      .select({ id: items.id, name: items.name })
      .from(items)
      .where(where)
      .orderBy(asc(items.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(`${name}_summaries`),
    total: db.select({ n: count() }).from(items).where(where).prepare(`${name}_total`),
  }
}

/** The primary key taken: two PUTs of one id raced (POST skips taken ids itself). */
const idTaken = (err: unknown) => {
  const e = pgErrorOf(err)
  return e?.code === '23505' && e.constraint === 'items_pkey'
}

function writeError(err: unknown, name: string, storeId: number): never {
  const code = pgErrorOf(err)?.code
  if (code === '23503') throw new MissingError(`Store ${storeId} not found.`)
  if (code === '23505') throw new ConflictError(`Store ${storeId} already has an item named "${name}".`)
  throw err
}

/** Runs `write` again when its id was taken by a concurrent insert: the retry sees that row. */
async function retryOnIdTaken<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write()
    } catch (err) {
      if (!idTaken(err) || i >= attempts) throw err
    }
  }
}

/** The JSON text of an item row (mapping.ts writes it as the Item schema's serializer would). */
const jsonOf = (row: typeof items.$inferSelect) => itemJsonText([row.id, row.name, row.priceCents, row.storeId, row.createdAt.getTime()])

export function itemsRepository(db: PgDb): ItemsRepository {
  const byId = db.select().from(items).where(eq(items.id, sql.placeholder('id'))).prepare('item_by_id')
  const listOf = listStatements((byStore, byName) => prepareList(db, byStore, byName))
  const ids = idAllocator(db, items, 'items', 'item')

  return {
    async listJson(q, view) {
      const { list, params, page } = listOf(q)
      const data = view === 'full' ? list.items.execute(page).then((r) => `[${r.map(jsonOf).join(',')}]`) : list.summaries.execute(page).then((r) => JSON.stringify(r))
      const [json, [total]] = await Promise.all([data, list.total.execute(params)])
      return { data: json, total: total?.n ?? 0 }
    },

    async getJson(id) {
      const [row] = await byId.execute({ id })
      return row && jsonOf(row)
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
        const row = await ids.create(async (id) => {
          const [inserted] = await db.insert(items).values({ id, ...values }).onConflictDoNothing({ target: items.id }).returning()
          return inserted
        })
        return publicItem(row)
      } catch (err) {
        writeError(err, input.name, input.store_id)
      }
    },

    async put(id, input) {
      const storeId = input.store_id
      const values = { name: input.name, nameKey: nameKey(input.name), priceCents: toCents(input.price) }
      try {
        return await retryOnIdTaken(() =>
          db.transaction(async (tx) => {
            const [existing] = await tx.select().from(items).where(eq(items.id, id)).for('update')
            if (existing) {
              const [row] = await tx
                .update(items)
                .set({ ...values, storeId: storeId ?? existing.storeId })
                .where(eq(items.id, id))
                .returning()
              return { item: publicItem(row!), created: false }
            }
            if (storeId === undefined) return undefined
            const [row] = await tx
              .insert(items)
              .values({ id, ...values, storeId, createdAt: new Date() })
              .returning()
            return { item: publicItem(row!), created: true }
          }),
        )
      } catch (err) {
        writeError(err, input.name, storeId ?? 0)
      }
    },

    async delete(id) {
      return ((await db.delete(items).where(eq(items.id, id))).rowCount ?? 0) > 0
    },
  }
}
