import { and, eq, lte, sql, type SQL, type Column, type Placeholder, type Table } from 'drizzle-orm'
import { MAX_ID, containsPattern } from './mapping.js'

// SQL fragments both dialects run as they are.

/** `column LIKE pattern ESCAPE '\'`, the pattern from `containsPattern` or a placeholder for one. */
export const likeKey = (column: Column, pattern: string | Placeholder): SQL => sql`${column} LIKE ${pattern} ESCAPE '\\'`

/** `column LIKE %text%` with LIKE's wildcards in `text` taken literally. */
export const containsKey = (column: Column, text: string): SQL => likeKey(column, containsPattern(text))

/**
 * The first id from `from` up that no row of `table` has (its `id` column), or null when every
 * one up to MAX_ID is taken: one walk along the primary key from `from` to the first gap.
 */
export const firstFreeId = (table: Table, from: number): SQL<number | null> => sql`
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM ${table} WHERE id = ${from}) THEN CAST(${from} AS integer)
  ELSE (SELECT t.id + 1 FROM ${table} t WHERE t.id >= ${from} AND t.id < ${MAX_ID}
        AND NOT EXISTS (SELECT 1 FROM ${table} u WHERE u.id = t.id + 1) ORDER BY t.id LIMIT 1) END AS id`

/** The outbox rows a sender may claim: pending, and due (`available_at` reached: not leased, or the lease is over). */
export const outboxDue = (outbox: { status: Column; availableAt: Column }, now: Date): SQL =>
  and(eq(outbox.status, 'pending'), lte(outbox.availableAt, now))!

/** What claiming a row sets: the new lease until `leaseUntil`, and one more attempt. */
export const outboxLease = (outbox: { attempts: Column }, leaseId: string, leaseUntil: Date) => ({
  leaseId,
  availableAt: leaseUntil,
  attempts: sql`${outbox.attempts} + 1`,
})
