import { getTableColumns, Placeholder, type InferSelectModel, type Table } from 'drizzle-orm'
import type { Db } from '../../db/sqlite.js'

/**
 * Turns the driver's values of `table`'s columns (a prepared query's `.values()`, in the
 * table's column order, from `offset`) into its typed row, with each column's own mapping
 * (JSON, booleans, timestamps), worked out once per table rather than per row.
 */
export function rowReader<T extends Table>(table: T) {
  const columns = Object.entries(getTableColumns(table))
  return {
    /** How many values a row of this table takes. */
    width: columns.length,
    read(values: unknown[], offset = 0): InferSelectModel<T> {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < columns.length; i++) {
        const [key, column] = columns[i]!
        const value = values[offset + i]
        row[key] = value === null ? null : column.mapFromDriverValue(value)
      }
      return row as InferSelectModel<T>
    },
  }
}

/**
 * A query Drizzle builds (its SQL, with named placeholders) run by better-sqlite3 itself in raw
 * mode, one row at a time: on the per-request queries Drizzle's prepared query re-fills its
 * placeholders, switches raw mode and collects an array of rows on every call.
 */
export function rawQuery(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql, params } = query.toSQL()
  const names = params.map((p) => {
    if (!(p instanceof Placeholder)) throw new Error('rawQuery takes named placeholders only')
    return p.name
  })
  const statement = db.$client.prepare<unknown[], unknown[]>(sql).raw(true)
  return (values: Record<string, unknown>) => statement.get(...names.map((name) => values[name])) as unknown[] | undefined
}
