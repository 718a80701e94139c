import type { Db } from '../../db/sqlite.js'
import { itemJsonText, listStatements } from '../mapping.js'
import type { ItemListQuery, ItemView } from '../types.js'

// GET /item and GET /item/{id} answer JSON text made here, not objects for the route's
// serializer to walk again: anonymous pages are written by SQLite itself (json_object per row,
// one string crossing into JavaScript), full items from their raw values by itemJsonText (the
// price and time formatting SQLite would need costs it more than the values do). The text is
// what the schema serializer would write: test/item-json.test.ts compares them byte for byte.

const COLUMNS = 'id, name, price_cents, store_id, created_at'

/** The filters of one combination, as a WHERE clause on named parameters. */
function whereOf(byStore: boolean, byName: boolean) {
  const terms = [byStore && 'store_id = @storeId', byName && "name_key LIKE @pattern ESCAPE '\\'"].filter(Boolean)
  return terms.length ? `WHERE ${terms.join(' AND ')}` : ''
}

/** The page and its total in one statement (one read transaction), for both views, and the total alone for a page past the end. */
function preparePages(db: Db, byStore: boolean, byName: boolean) {
  const where = whereOf(byStore, byName)
  const total = `(SELECT count(*) FROM items ${where})`
  // CAST: SQLite runs this about twice as fast as with a bare parameter as the LIMIT (measured:
  // 10 against 20 µs for a page of 20), the same as with a literal.
  const rows = `FROM items ${where} ORDER BY id LIMIT CAST(@limit AS INTEGER) OFFSET CAST(@offset AS INTEGER)`
  return {
    full: db.$client.prepare<Record<string, unknown>, unknown[]>(`SELECT ${COLUMNS}, ${total} ${rows}`).raw(),
    // The aggregate reads the LIMITed subquery in its ORDER BY order (a co-routine), so the
    // array is in id order; an empty page is '[]' with the total beside it.
    summary: db.$client.prepare<Record<string, unknown>, { total: number; data: string }>(
      `SELECT ${total} AS total, (SELECT json_group_array(json_object('id', id, 'name', name)) FROM (SELECT id, name ${rows})) AS data`,
    ),
    total: db.$client.prepare<Record<string, unknown>, number>(`SELECT count(*) FROM items ${where}`).pluck(),
  }
}

export function itemJson(db: Db) {
  const byId = db.$client.prepare<[number], unknown[]>(`SELECT ${COLUMNS} FROM items WHERE id = ?`).raw()
  const pagesOf = listStatements((byStore, byName) => preparePages(db, byStore, byName))

  return {
    page(q: ItemListQuery, view: ItemView): { data: string; total: number } {
      const { list, page, params } = pagesOf(q)
      // Only the parameters this combination names: better-sqlite3 refuses unknown ones.
      const filters: Record<string, unknown> = {}
      if (params.storeId !== undefined) filters.storeId = params.storeId
      if (params.pattern !== undefined) filters.pattern = params.pattern
      const named = { ...filters, limit: page.limit, offset: page.offset }
      if (view === 'summary') return list.summary.get(named)!
      const rows = list.full.all(named) as Array<[number, string, number, number, number, number]>
      // Past the last page no row carries the total: count it on its own then.
      const total = rows[0]?.[5] ?? list.total.get(filters)!
      let data = '['
      for (let i = 0; i < rows.length; i++) data += (i ? ',' : '') + itemJsonText(rows[i]!)
      return { data: `${data}]`, total }
    },
    one(id: number): string | undefined {
      const values = byId.get(id) as [number, string, number, number, number] | undefined
      return values && itemJsonText(values)
    },
  }
}
