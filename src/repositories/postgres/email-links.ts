import { and, eq, gt, inArray, isNull, lte } from 'drizzle-orm'
import type { PgDb } from '../../db/postgres.js'
import { emailTokens, outbox, sessions, users } from '../../db/postgres-schema.js'
import { nameKey } from '../mapping.js'
import type { EmailLinkInput, EmailLinkKind, EmailLinksRepository, OutboxInput, UserRow } from '../types.js'
import { uniqueConflict } from './users.js'

type Tx = Pick<PgDb, 'select' | 'insert' | 'update' | 'delete'>

/** Supersedes the user's unused links of `kinds`, then stores `link`. Inside the caller's transaction. */
export async function storeLink(tx: Tx, link: EmailLinkInput, now: Date, kinds: EmailLinkKind[] = [link.kind]) {
  await tx
    .update(emailTokens)
    .set({ supersededAt: now })
    .where(and(eq(emailTokens.userId, link.userId), inArray(emailTokens.kind, kinds), isNull(emailTokens.usedAt), isNull(emailTokens.supersededAt)))
  await tx.insert(emailTokens).values({ ...link, createdAt: now })
}

async function queueMails(tx: Tx, mails: OutboxInput[], now: Date) {
  if (mails.length) await tx.insert(outbox).values(mails.map((m) => ({ ...m, availableAt: now, createdAt: now })))
}

/**
 * Marks the link of `tokenHash` used and returns its user, when the link is of `kind`, unused,
 * not superseded, not expired and its account still has the address it was sent to; with
 * `activeOnly`, a deactivated user is 'inactive' and the link stays unused. The last step is a
 * compare-and-set on the link, so of two uses at once, on any instances, one wins.
 */
async function useLink(tx: Tx, kind: EmailLinkKind, tokenHash: string, now: Date, activeOnly = false): Promise<UserRow | 'inactive' | undefined> {
  const unused = and(isNull(emailTokens.usedAt), isNull(emailTokens.supersededAt))
  const [link] = await tx
    .select()
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.kind, kind), unused, gt(emailTokens.expiresAt, now)))
  if (!link) return undefined
  const [user] = await tx.select().from(users).where(eq(users.id, link.userId))
  if (!user || user.emailKey !== link.emailKey) return undefined
  if (activeOnly && !user.isActive) return 'inactive'
  const used = await tx.update(emailTokens).set({ usedAt: now }).where(and(eq(emailTokens.id, link.id), unused))
  return used.rowCount === 1 ? user : undefined
}

export function emailLinksRepository(db: PgDb): EmailLinksRepository {
  return {
    async issue(link, mails, now) {
      await db.transaction(async (tx) => {
        await storeLink(tx, link, now)
        await queueMails(tx, mails, now)
      })
    },

    async verifyEmail(tokenHash, now) {
      return db.transaction(async (tx) => {
        const user = await useLink(tx, 'verify_email', tokenHash, now)
        if (typeof user !== 'object') return undefined
        const [row] = await tx.update(users).set({ emailVerified: true }).where(eq(users.id, user.id)).returning()
        return row
      })
    },

    async resetPassword(tokenHash, passwordHash, now) {
      return db.transaction(async (tx) => {
        const found = await useLink(tx, 'password_reset', tokenHash, now, true)
        if (typeof found !== 'object') return found
        const [user] = await tx.update(users).set({ passwordHash, emailVerified: true }).where(eq(users.id, found.id)).returning()
        const revoked = await tx.delete(sessions).where(eq(sessions.userId, found.id))
        return { user: user!, revokedSessions: revoked.rowCount ?? 0 }
      })
    },

    async changeEmail(userId, email, link, mails, now) {
      try {
        return await db.transaction(async (tx) => {
          const [user] = await tx
            .update(users)
            .set({ email, emailKey: nameKey(email), emailVerified: false })
            .where(eq(users.id, userId))
            .returning()
          if (!user) return undefined
          await storeLink(tx, link, now, ['verify_email', 'password_reset'])
          await queueMails(tx, mails, now)
          return user
        })
      } catch (err) {
        uniqueConflict(err)
      }
    },

    async pruneExpired(now) {
      return (await db.delete(emailTokens).where(lte(emailTokens.expiresAt, now))).rowCount ?? 0
    },
  }
}
