import { and, eq, lte, sql, type SQL, type Column, type Placeholder } from 'drizzle-orm'
import { containsPattern } from './mapping.js'

// SQL fragments both dialects run as they are.

/** `column LIKE pattern ESCAPE '\'`, the pattern from `containsPattern` or a placeholder for one. */
export const likeKey = (column: Column, pattern: string | Placeholder): SQL => sql`${column} LIKE ${pattern} ESCAPE '\\'`

/** `column LIKE %text%` with LIKE's wildcards in `text` taken literally. */
export const containsKey = (column: Column, text: string): SQL => likeKey(column, containsPattern(text))

/** The outbox rows a sender may claim: pending, and due (`available_at` reached: not leased, or the lease is over). */
export const outboxDue = (outbox: { status: Column; availableAt: Column }, now: Date): SQL =>
  and(eq(outbox.status, 'pending'), lte(outbox.availableAt, now))!

/** What claiming a row sets: the new lease until `leaseUntil`, and one more attempt. */
export const outboxLease = (outbox: { attempts: Column }, leaseId: string, leaseUntil: Date) => ({
  leaseId,
  availableAt: leaseUntil,
  attempts: sql`${outbox.attempts} + 1`,
})
