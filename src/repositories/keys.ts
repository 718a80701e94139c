import { sql, type SQL, type Column } from 'drizzle-orm'

/** The form names are compared in: unique and searched regardless of case. */
export const nameKey = (name: string) => name.normalize('NFC').toLowerCase()

/** `column LIKE %text%` with LIKE's wildcards in `text` taken literally. */
export function containsKey(column: Column, text: string): SQL {
  const escaped = nameKey(text).replace(/[\\%_]/g, (c) => `\\${c}`)
  return sql`${column} LIKE ${`%${escaped}%`} ESCAPE '\\'`
}

export const iso = (d: Date) => d.toISOString()
