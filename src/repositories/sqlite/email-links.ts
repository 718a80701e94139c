import { and, eq, gt, inArray, isNull, lte } from 'drizzle-orm'
import type { Db } from '../../db/sqlite.js'
import { emailTokens, outbox, sessions, users } from '../../db/sqlite-schema.js'
import { nameKey } from '../mapping.js'
import type { EmailLinkInput, EmailLinkKind, EmailLinksRepository, OutboxInput, UserRow } from '../types.js'
import { uniqueConflict } from './users.js'

type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>

/** Supersedes the user's unused links of `kinds`, then stores `link`. Inside the caller's transaction. */
export function storeLink(tx: Tx, link: EmailLinkInput, now: Date, kinds: EmailLinkKind[] = [link.kind]) {
  tx.update(emailTokens)
    .set({ supersededAt: now })
    .where(and(eq(emailTokens.userId, link.userId), inArray(emailTokens.kind, kinds), isNull(emailTokens.usedAt), isNull(emailTokens.supersededAt)))
    .run()
  tx.insert(emailTokens)
    .values({ ...link, createdAt: now })
    .run()
}

function queueMails(tx: Tx, mails: OutboxInput[], now: Date) {
  if (mails.length) tx.insert(outbox).values(mails.map((m) => ({ ...m, availableAt: now, createdAt: now }))).run()
}

/**
 * Marks the link of `tokenHash` used and returns its user, when the link is of `kind`, unused,
 * not superseded, not expired and its account still has the address it was sent to; with
 * `activeOnly`, a deactivated user is 'inactive' and the link stays unused. Inside the
 * caller's IMMEDIATE transaction, so of two uses one wins.
 */
function useLink(tx: Tx, kind: EmailLinkKind, tokenHash: string, now: Date, activeOnly = false): UserRow | 'inactive' | undefined {
  const valid = and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt), isNull(emailTokens.supersededAt))
  const link = tx.select().from(emailTokens).where(and(valid, gt(emailTokens.expiresAt, now))).get()
  if (!link) return undefined
  const user = tx.select().from(users).where(eq(users.id, link.userId)).get()
  if (!user || user.emailKey !== link.emailKey) return undefined
  if (activeOnly && !user.isActive) return 'inactive'
  tx.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, link.id)).run()
  return user
}

export function emailLinksRepository(db: Db): EmailLinksRepository {
  const immediate = { behavior: 'immediate' } as const

  return {
    async issue(link, mails, now) {
      db.transaction((tx) => {
        storeLink(tx, link, now)
        queueMails(tx, mails, now)
      }, immediate)
    },

    async verifyEmail(tokenHash, now) {
      return db.transaction((tx) => {
        const user = useLink(tx, 'verify_email', tokenHash, now)
        if (typeof user !== 'object') return undefined
        return tx.update(users).set({ emailVerified: true }).where(eq(users.id, user.id)).returning().get()
      }, immediate)
    },

    async resetPassword(tokenHash, passwordHash, now) {
      return db.transaction((tx) => {
        const found = useLink(tx, 'password_reset', tokenHash, now, true)
        if (typeof found !== 'object') return found
        const user = tx.update(users).set({ passwordHash, emailVerified: true }).where(eq(users.id, found.id)).returning().get()
        const revokedSessions = tx.delete(sessions).where(eq(sessions.userId, user.id)).run().changes
        return { user, revokedSessions }
      }, immediate)
    },

    async changeEmail(userId, email, link, mails, now) {
      try {
        return db.transaction((tx) => {
          const user = tx
            .update(users)
            .set({ email, emailKey: nameKey(email), emailVerified: false })
            .where(eq(users.id, userId))
            .returning()
            .get()
          if (!user) return undefined
          storeLink(tx, link, now, ['verify_email', 'password_reset'])
          queueMails(tx, mails, now)
          return user
        }, immediate)
      } catch (err) {
        uniqueConflict(err)
      }
    },

    async pruneExpired(now) {
      return db.delete(emailTokens).where(lte(emailTokens.expiresAt, now)).run().changes
    },
  }
}
