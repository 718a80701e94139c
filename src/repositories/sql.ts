import { sql, type SQL, type Column, type Placeholder } from 'drizzle-orm'
import { containsPattern } from './mapping.js'

// SQL fragments both dialects run as they are.

/** `column LIKE pattern ESCAPE '\'`, the pattern from `containsPattern` or a placeholder for one. */
export const likeKey = (column: Column, pattern: string | Placeholder): SQL => sql`${column} LIKE ${pattern} ESCAPE '\\'`

/** `column LIKE %text%` with LIKE's wildcards in `text` taken literally. */
export const containsKey = (column: Column, text: string): SQL => likeKey(column, containsPattern(text))
