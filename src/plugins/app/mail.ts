import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { audit } from '../../audit.js'
import { mailComposer } from '../../mail/links.js'
import { nameKey } from '../../repositories/mapping.js'
import type { UserRow } from '../../repositories/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The mails requests ask for, written to the outbox with their links. */
    mail: Mail
  }
}

export interface Mail {
  /** Sends `user` a new verification link (older ones void). */
  sendVerification(request: FastifyRequest, user: UserRow & { email: string }): Promise<void>
  /** Sets `email` unverified, voids the user's links, and mails a verification link to it and a notice to the old address. */
  changeEmail(request: FastifyRequest, user: UserRow, email: string): Promise<UserRow | undefined>
  /** Records a reset request for `email`: one insert, the same whether or not an account has it. */
  requestReset(email: string): Promise<void>
}

function createMail(app: FastifyInstance): Mail {
  const { emailLinks, outbox } = app.repos
  const compose = mailComposer(app.config, app.config.jwtSecret)

  return {
    async sendVerification(request, user) {
      const now = new Date()
      const { link, mail } = compose.link(user, 'verify_email', user.email, now)
      await emailLinks.issue(link, [mail], now)
      app.outbox.wake()
      audit(request, 'email_verification_sent', { user_id: user.id })
    },

    async changeEmail(request, user, email) {
      const now = new Date()
      const { link, mail } = compose.link(user, 'verify_email', email, now)
      // Same address in another case: nothing to tell the old one.
      const notice = user.email && user.emailKey !== nameKey(email) ? [compose.notice(user, user.email, now)] : []
      const row = await emailLinks.changeEmail(user.id, email, link, [mail, ...notice], now)
      if (!row) return undefined
      app.outbox.wake()
      audit(request, 'email_changed', { user_id: user.id })
      audit(request, 'email_verification_sent', { user_id: user.id })
      return row
    },

    async requestReset(email) {
      await outbox.add(compose.resetRequest(email), new Date())
      app.outbox.wake()
    },
  }
}

export default fp(
  async (app) => {
    app.decorate('mail', createMail(app))
  },
  { name: 'mail', dependencies: ['config', 'db', 'outbox'] },
)
