import { and, count, desc, eq, gt, lte, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/sqlite.js'
import { sessions, users } from '../../db/sqlite-schema.js'
import type { SessionsRepository } from '../types.js'
import { isBusy } from './busy.js'
import { groupCommit } from './group-commit.js'
import { rawQuery, rowReader } from './rows.js'

export function sessionsRepository(db: Db): SessionsRepository {
  // Everything a token check needs, in one indexed query: the user and the token's
  // session (absent once revoked or pruned).
  const lookup = rawQuery(
    db,
    db
      .select({ user: users, session: sessions })
      .from(users)
      .leftJoin(sessions, and(eq(sessions.id, sql.placeholder('sid')), eq(sessions.userId, users.id)))
      .where(eq(users.id, sql.placeholder('userId'))),
  )
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
    .prepare()

  // Refreshes arriving together share one commit: the fsync, not the CPU, bounds rotation.
  const rotateBatched = groupCommit(db, (args: { sid: string; oldJti: string; newJti: string; now: number }) => rotate.run(args).changes === 1)

  return {
    async authLookup(userId, sid) {
      const values = lookup({ userId, sid })
      if (!values) return undefined
      // The session's columns follow the user's; its id is null when the join found none.
      const at = readUser.width
      return { user: readUser.read(values), session: values[at] === null ? null : readSession.read(values, at) }
    },

    async create(row) {
      db.insert(sessions).values(row).run()
    },

    async touch(sid, now) {
      // last_used_at is best effort: with the write lock held elsewhere it waits for the next use.
      try {
        touch.run({ sid, now: now.getTime() })
      } catch (err) {
        if (!isBusy(err)) throw err
      }
    },

    rotate(sid, oldJti, newJti, now) {
      return rotateBatched({ sid, oldJti, newJti, now: now.getTime() })
    },

    async revoke(sid, userId) {
      const where = userId === undefined ? eq(sessions.id, sid) : and(eq(sessions.id, sid), eq(sessions.userId, userId))
      return db.delete(sessions).where(where).run().changes > 0
    },

    async revokeAllForUser(userId, keepSid) {
      const where = keepSid ? and(eq(sessions.userId, userId), ne(sessions.id, keepSid)) : eq(sessions.userId, userId)
      return db.delete(sessions).where(where).run().changes
    },

    async listForUser(userId, now, limit, offset) {
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

    async pruneExpired(now) {
      return db.delete(sessions).where(lte(sessions.expiresAt, now)).run().changes
    },
  }
}
