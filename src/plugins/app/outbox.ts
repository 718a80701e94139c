import fp from 'fastify-plugin'
import { mailComposer } from '../../mail/links.js'
import { outboxSender, TIMINGS, type SenderTimings } from '../../mail/sender.js'
import { MAIL_DIR, mailTransport } from '../../mail/transport.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The background sender of the mail outbox. */
    outbox: { wake(): void }
  }
}

export interface OutboxOptions {
  /** Tests shorten the retries and leases; the service runs on TIMINGS. */
  timings?: Partial<SenderTimings>
  /** Where mails are written without SMTP_URL: MAIL_DIR for the service, a temporary folder in tests. */
  mailDir?: string
  /** No sending from this instance: tests look at the rows before another instance sends them. */
  paused?: boolean
}

/**
 * Sends what the outbox holds, from when the app is ready until it closes (before the
 * database closes: onClose hooks run in reverse order of registration). `app.outbox.wake()`
 * makes it look at once after a local write; otherwise it polls.
 */
export default fp<OutboxOptions>(
  async (app, options) => {
    const { config } = app
    const transport = mailTransport(config, options.mailDir)
    if (config.production && !config.smtpUrl) app.log.warn(`SMTP_URL is not set: mails are written to ${options.mailDir ?? MAIL_DIR} instead of being sent.`)
    const sender = outboxSender({
      repos: app.repos,
      transport,
      composer: mailComposer(config, config.jwtSecret),
      log: app.log.child({ component: 'outbox' }),
      timings: { ...TIMINGS, ...options.timings },
    })
    app.decorate('outbox', { wake: options.paused ? () => {} : sender.wake })
    if (!options.paused) app.addHook('onReady', async () => sender.start())
    app.addHook('onClose', async () => {
      await sender.stop()
      transport.close()
    })
  },
  { name: 'outbox', dependencies: ['config', 'db'] },
)
