import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Config } from '../config.js'
import { sealer } from '../seal.js'
import { nameKey } from '../repositories/mapping.js'
import type { EmailLinkInput, EmailLinkKind, OutboxInput, OutboxKind, UserRow } from '../repositories/types.js'
import { emailChangedNotice, resetMail, verificationMail, type MailMessage } from './messages.js'

/** 256 random bits, base64url: the token of a link. Only its hash is stored. */
export const newToken = () => randomBytes(32).toString('base64url')

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

/** A payload sealed with another secret, for another row, or altered: it never will open. */
export class UnreadablePayload extends Error {
  override name = 'UnreadablePayload'
}

type SealedRow = { id: string; payload: string }

const PAGES: Record<EmailLinkKind, string> = { verify_email: 'verify-email', password_reset: 'reset-password' }

/**
 * Links, mails and outbox payloads. Payloads are sealed with a key of their own derived from
 * the JWT secret, bound to the row's id and kind (a payload copied to another row does not open).
 */
export function mailComposer(config: Pick<Config, 'publicUrl' | 'emailVerifyTtl' | 'passwordResetTtl'>, secret: string) {
  const box = sealer(secret, 'outbox')
  const seal = (kind: OutboxKind, id: string, value: object) => box.seal(JSON.stringify(value), `${kind}:${id}`)
  function open(row: SealedRow, kind: OutboxKind) {
    try {
      return JSON.parse(box.open(row.payload, `${kind}:${row.id}`))
    } catch {
      throw new UnreadablePayload(`outbox row ${row.id} cannot be decrypted: was JWT_SECRET_KEY changed?`)
    }
  }

  return {
    /**
     * A new link of `kind` for `user` at `email`, made `now`: its row (the token's hash only) and
     * its mail, sealed for outbox row `id`.
     */
    link(user: UserRow, kind: EmailLinkKind, email: string, now: Date, id: string = randomUUID()): { link: EmailLinkInput; mail: OutboxInput } {
      const token = newToken()
      const url = `${config.publicUrl}/app/${PAGES[kind]}?token=${token}`
      const ttl = kind === 'verify_email' ? config.emailVerifyTtl : config.passwordResetTtl
      const message = (kind === 'verify_email' ? verificationMail : resetMail)(email, user.username, url, ttl)
      return {
        link: { userId: user.id, kind, tokenHash: tokenHash(token), emailKey: nameKey(email), expiresAt: new Date(now.getTime() + ttl * 1000) },
        mail: { id, kind: 'mail', payload: seal('mail', id, message) },
      }
    },

    notice(user: UserRow, oldEmail: string, when: Date): OutboxInput {
      const id = randomUUID()
      return { id, kind: 'mail', payload: seal('mail', id, emailChangedNotice(oldEmail, user.username, when)) }
    },

    /** A password-reset request: only the address asked for, resolved later by the sender. */
    resetRequest(email: string): OutboxInput {
      const id = randomUUID()
      return { id, kind: 'password_reset_request', payload: seal('password_reset_request', id, { email }) }
    },

    openMail: (row: SealedRow): MailMessage => open(row, 'mail'),
    openResetRequest: (row: SealedRow): { email: string } => open(row, 'password_reset_request'),
  }
}
export type MailComposer = ReturnType<typeof mailComposer>
