import type { Db } from '../../db/sqlite.js'
import { listStatements } from '../mapping.js'
import type { ItemListQuery, ItemView } from '../types.js'

// GET /item and GET /item/{id} answer JSON that SQLite writes itself: one string crosses into
// JavaScript instead of a value per column and row, and nothing is mapped or serialized again.
// The text is what publicItem and fast-json-stringify would make (test/items.test.ts and the
// fuzz test check it against the schema): prices from integer cents, integral ones without a
// fraction; times as toISOString() writes them, from integer milliseconds.

const PRICE = 'CASE WHEN price_cents % 100 = 0 THEN price_cents / 100 ELSE price_cents / 100.0 END'
const CREATED_AT = "strftime('%Y-%m-%dT%H:%M:%S', created_at / 1000, 'unixepoch') || printf('.%03dZ', created_at % 1000)"
const VIEWS: Record<ItemView, string> = {
  full: `json_object('id', id, 'name', name, 'price', ${PRICE}, 'store_id', store_id, 'created_at', ${CREATED_AT})`,
  summary: "json_object('id', id, 'name', name)",
}

/** The filters of one combination, as a WHERE clause on named parameters. */
function whereOf(byStore: boolean, byName: boolean) {
  const terms = [byStore && 'store_id = @storeId', byName && "name_key LIKE @pattern ESCAPE '\\'"].filter(Boolean)
  return terms.length ? `WHERE ${terms.join(' AND ')}` : ''
}

/** The page and its total in one statement (one read transaction), for both views. */
function preparePages(db: Db, byStore: boolean, byName: boolean) {
  const where = whereOf(byStore, byName)
  const page = (view: ItemView) =>
    db.$client.prepare<Record<string, unknown>, { total: number; data: string }>(
      `SELECT (SELECT count(*) FROM items ${where}) AS total,
        (SELECT json_group_array(json(j) ORDER BY id) FROM
          (SELECT id, ${VIEWS[view]} AS j FROM items ${where} ORDER BY id LIMIT @limit OFFSET @offset)) AS data`,
    )
  return { full: page('full'), summary: page('summary') }
}

export function itemJson(db: Db) {
  const byId = db.$client.prepare<[number], string>(`SELECT ${VIEWS.full} FROM items WHERE id = ?`).pluck()
  const pagesOf = listStatements((byStore, byName) => preparePages(db, byStore, byName))
  return {
    page(q: ItemListQuery, view: ItemView) {
      const { list, page } = pagesOf(q)
      // Only the parameters this combination names: better-sqlite3 refuses unknown ones.
      const params: Record<string, unknown> = { limit: page.limit, offset: page.offset }
      if (page.storeId !== undefined) params.storeId = page.storeId
      if (page.pattern !== undefined) params.pattern = page.pattern
      return list[view].get(params)!
    },
    one: (id: number) => byId.get(id),
  }
}
