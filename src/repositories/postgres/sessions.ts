import { and, count, desc, eq, gt, lte, ne, sql } from 'drizzle-orm'
import type { PgDb } from '../../db/postgres.js'
import { sessions, users } from '../../db/postgres-schema.js'
import type { SessionsRepository } from '../types.js'

export function sessionsRepository(db: PgDb): SessionsRepository {
  // The user and the token's session (absent once revoked or pruned), in one indexed query,
  // prepared once: it runs on every authenticated request.
  const lookup = db
    .select({ user: users, session: sessions })
    .from(users)
    .leftJoin(sessions, and(eq(sessions.id, sql.placeholder('sid')), eq(sessions.userId, users.id)))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('auth_lookup')
  const touch = db
    .update(sessions)
    .set({ lastUsedAt: sql`${sql.placeholder('now')}` })
    .where(eq(sessions.id, sql.placeholder('sid')))
    .prepare('session_touch')
  // One compare-and-set: a concurrent UPDATE of the row waits, then re-checks refresh_jti
  // against the committed value, so only one of two refreshes wins.
  const rotate = db
    .update(sessions)
    .set({
      refreshJti: sql`${sql.placeholder('newJti')}`,
      previousRefreshJti: sql`${sql.placeholder('oldJti')}`,
      lastUsedAt: sql`${sql.placeholder('now')}`,
      rotatedAt: sql`${sql.placeholder('now')}`,
    })
    .where(
      and(
        eq(sessions.id, sql.placeholder('sid')),
        eq(sessions.refreshJti, sql.placeholder('oldJti')),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    )
    .prepare('session_rotate')

  return {
    async authLookup(userId, sid) {
      const [row] = await lookup.execute({ userId, sid })
      return row
    },

    async create(row) {
      await db.insert(sessions).values(row)
    },

    async touch(sid, now) {
      await touch.execute({ sid, now })
    },

    async rotate(sid, oldJti, newJti, now) {
      return (await rotate.execute({ sid, oldJti, newJti, now })).rowCount === 1
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
