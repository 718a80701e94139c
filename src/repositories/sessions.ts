import { and, count, desc, eq, gt, lte, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { sessions, users } from '../db/schema.js'
import type { Session } from '../../schemas/auth.js'
import { iso } from './keys.js'
import { rowReader } from '../db/rows.js'

export type SessionRow = typeof sessions.$inferSelect

export function publicSession(row: SessionRow, currentSid: string | undefined): Session {
  return {
    id: row.id,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    expires_at: iso(row.expiresAt),
    user_agent: row.userAgent,
    current: row.id === currentSid,
  }
}

export function sessionsRepository(db: Db) {
  // Everything a token check needs, in one indexed query: the user and the token's
  // session (absent once revoked or pruned).
  const lookup = db
    .select({ user: users, session: sessions })
    .from(users)
    .leftJoin(sessions, and(eq(sessions.id, sql.placeholder('sid')), eq(sessions.userId, users.id)))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare()
  const readUser = rowReader(users)
  const readSession = rowReader(sessions)
  const touch = db
    .update(sessions)
    .set({ lastUsedAt: sql`${sql.placeholder('now')}` })
    .where(eq(sessions.id, sql.placeholder('sid')))
    .prepare()

  // Placeholders skip the columns' own mapping: times go in as milliseconds, as touch's do.
  const rotate = db
    .update(sessions)
    .set({ refreshJti: sql`${sql.placeholder('newJti')}`, lastUsedAt: sql`${sql.placeholder('now')}` })
    .where(
      and(
        eq(sessions.id, sql.placeholder('sid')),
        eq(sessions.refreshJti, sql.placeholder('oldJti')),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    )
    .prepare()

  return {
    async authLookup(userId: number, sid: string) {
      const values = lookup.values({ userId, sid })[0]
      if (!values) return undefined
      // The session's columns follow the user's; its id is null when the join found none.
      const at = readUser.width
      return { user: readUser.read(values), session: values[at] === null ? null : readSession.read(values, at) }
    },

    async create(row: SessionRow) {
      db.insert(sessions).values(row).run()
    },

    async touch(sid: string, now: Date) {
      touch.run({ sid, now: now.getTime() })
    },

    /**
     * Retires `oldJti` in favour of `newJti`, atomically: of two refreshes presenting the
     * same token, exactly one sees `true`.
     */
    async rotate(sid: string, oldJti: string, newJti: string, now: Date): Promise<boolean> {
      return rotate.run({ sid, oldJti, newJti, now: now.getTime() }).changes === 1
    },

    async revoke(sid: string, userId?: number): Promise<boolean> {
      const where = userId === undefined ? eq(sessions.id, sid) : and(eq(sessions.id, sid), eq(sessions.userId, userId))
      return db.delete(sessions).where(where).run().changes > 0
    },

    /** Revokes every session of the user, but `keepSid` when given. Returns how many. */
    async revokeAllForUser(userId: number, keepSid?: string): Promise<number> {
      const where = keepSid
        ? and(eq(sessions.userId, userId), ne(sessions.id, keepSid))
        : eq(sessions.userId, userId)
      return db.delete(sessions).where(where).run().changes
    },

    async listForUser(userId: number, now: Date, limit: number, offset: number) {
      const where = and(eq(sessions.userId, userId), gt(sessions.expiresAt, now))
      const rows = db
        .select()
        .from(sessions)
        .where(where)
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
        .limit(limit)
        .offset(offset)
        .all()
      const total = db.select({ n: count() }).from(sessions).where(where).get()?.n ?? 0
      return { rows, total }
    },

    /** Deletes sessions past their expiry: no token of theirs can still be valid. */
    async pruneExpired(now: Date): Promise<number> {
      return db.delete(sessions).where(lte(sessions.expiresAt, now)).run().changes
    },
  }
}
export type SessionsRepository = ReturnType<typeof sessionsRepository>
