import { and, count, desc, eq, gt, lte, ne } from 'drizzle-orm'
import type { PgDb } from '../../db/postgres.js'
import { sessions, users } from '../../db/schema.pg.js'
import type { SessionsRepository } from '../types.js'

export function sessionsRepository(db: PgDb): SessionsRepository {
  return {
    async authLookup(userId, sid) {
      // The user and the token's session (absent once revoked or pruned), in one indexed query.
      const [row] = await db
        .select({ user: users, session: sessions })
        .from(users)
        .leftJoin(sessions, and(eq(sessions.id, sid), eq(sessions.userId, users.id)))
        .where(eq(users.id, userId))
      return row
    },

    async create(row) {
      await db.insert(sessions).values(row)
    },

    async touch(sid, now) {
      await db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, sid))
    },

    async rotate(sid, oldJti, newJti, now) {
      // One compare-and-set: a concurrent UPDATE of the row waits, then re-checks
      // refresh_jti against the committed value, so only one of two refreshes wins.
      const result = await db
        .update(sessions)
        .set({ refreshJti: newJti, lastUsedAt: now })
        .where(and(eq(sessions.id, sid), eq(sessions.refreshJti, oldJti), gt(sessions.expiresAt, now)))
      return result.rowCount === 1
    },

    async revoke(sid, userId) {
      const where = userId === undefined ? eq(sessions.id, sid) : and(eq(sessions.id, sid), eq(sessions.userId, userId))
      return ((await db.delete(sessions).where(where)).rowCount ?? 0) > 0
    },

    async revokeAllForUser(userId, keepSid) {
      const where = keepSid ? and(eq(sessions.userId, userId), ne(sessions.id, keepSid)) : eq(sessions.userId, userId)
      return (await db.delete(sessions).where(where)).rowCount ?? 0
    },

    async listForUser(userId, now, limit, offset) {
      const where = and(eq(sessions.userId, userId), gt(sessions.expiresAt, now))
      const rows = await db
        .select()
        .from(sessions)
        .where(where)
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
        .limit(limit)
        .offset(offset)
      const [total] = await db.select({ n: count() }).from(sessions).where(where)
      return { rows, total: total?.n ?? 0 }
    },

    async pruneExpired(now) {
      return (await db.delete(sessions).where(lte(sessions.expiresAt, now))).rowCount ?? 0
    },
  }
}
