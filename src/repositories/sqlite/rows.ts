import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm'

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
