import { sql, type SQL, type Column, type Placeholder } from 'drizzle-orm'

/** The form names are compared in: unique and searched regardless of case. */
export const nameKey = (name: string) => name.normalize('NFC').toLowerCase()

/** The LIKE pattern `%text%` (for `likeKey`), with LIKE's wildcards in `text` taken literally. */
export const containsPattern = (text: string) => `%${nameKey(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** `column LIKE pattern`, the pattern from `containsPattern` or a placeholder for one. */
export const likeKey = (column: Column, pattern: string | Placeholder): SQL => sql`${column} LIKE ${pattern} ESCAPE '\\'`

/** `column LIKE %text%` with LIKE's wildcards in `text` taken literally. */
export function containsKey(column: Column, text: string): SQL {
  return likeKey(column, containsPattern(text))
}

export const iso = (d: Date) => d.toISOString()
