import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { audit } from '../audit.js'
import type { OutboxRow, Repositories } from '../repositories/types.js'
import { UnreadablePayload, type MailComposer } from './links.js'
import type { MailTransport } from './transport.js'

export interface SenderTimings {
  /** How often the outbox is looked at when nothing woke the sender. */
  pollMs: number
  /** How long a claim lasts: a row claimed by an instance that died is taken over after it. */
  leaseMs: number
  /** A send is aborted after this, well within the lease. */
  sendTimeoutMs: number
  /** Attempts before a mail is given up (kept as `failed`, with its last error). */
  maxAttempts: number
  /** The wait after the first failed attempt, doubled after each further one, up to `backoffCapMs`. */
  backoffMs: number
  backoffCapMs: number
  /** How long a given-up row is kept for inspection. */
  keepFailedMs: number
  pruneEveryMs: number
}

/**
 * 15 attempts over about 77 minutes (1 s, 2 s, 4 s... then every 15 minutes). The lease (25 s)
 * plus one poll stays within the 30 s in which a dead instance's claim is taken over.
 */
export const TIMINGS: SenderTimings = {
  pollMs: 1000,
  leaseMs: 25_000,
  sendTimeoutMs: 20_000,
  maxAttempts: 15,
  backoffMs: 1000,
  backoffCapMs: 15 * 60_000,
  keepFailedMs: 7 * 86_400_000,
  pruneEveryMs: 10 * 60_000,
}

interface SenderDeps {
  repos: Pick<Repositories, 'outbox' | 'users' | 'emailLinks'>
  transport: MailTransport
  composer: MailComposer
  log: FastifyBaseLogger
  timings: SenderTimings
}

/** What a log line may say about a failure: the error's text, never a stack or the mail. */
const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500)

/**
 * The background sender: claims one due outbox row at a time, sends it, deletes it once sent,
 * and on failure releases it to a later attempt. Claims are leases, so instances sharing the
 * database never send one row at the same time.
 */
export function outboxSender({ repos, transport, composer, log, timings }: SenderDeps) {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  let prunedAt = 0
  const inFlight = new Set<AbortController>()

  const backoff = (attempts: number) => Math.min(timings.backoffCapMs, timings.backoffMs * 2 ** (attempts - 1))

  async function deliver(row: OutboxRow, lease: string) {
    const message = composer.openMail(row)
    const controller = new AbortController()
    inFlight.add(controller)
    const timeout = setTimeout(() => controller.abort(), timings.sendTimeoutMs)
    let delivery
    try {
      delivery = await transport.send(message, row.id, controller.signal)
    } catch (err) {
      const giveUp = row.attempts >= timings.maxAttempts
      const next = giveUp ? null : new Date(Date.now() + backoff(row.attempts))
      await repos.outbox.release(row.id, lease, errorText(err), next)
      const fields = { outbox_id: row.id, attempts: row.attempts, error: errorText(err), ...(next && { retry_at: next.toISOString() }) }
      if (giveUp) log.error(fields, 'mail given up')
      else log.warn(fields, 'mail not sent; will retry')
      return
    } finally {
      clearTimeout(timeout)
      inFlight.delete(controller)
    }
    // Should this delete fail, the mail goes out again after the lease: at least once, never lost.
    await repos.outbox.remove(row.id, lease)
    const fields = { outbox_id: row.id, attempts: row.attempts, message_id: delivery.messageId }
    if (delivery.file) log.info({ ...fields, file: delivery.file }, `mail written to ${delivery.file}`)
    else log.info(fields, 'mail sent')
  }

  /** A reset request becomes a mail when its address is an active account's; otherwise it just goes. */
  async function resolve(row: OutboxRow, lease: string) {
    const { email } = composer.openResetRequest(row)
    const user = await repos.users.findByLogin(email)
    if (!user?.email || !user.isActive) {
      await repos.outbox.remove(row.id, lease)
      return
    }
    const now = new Date()
    const { link, mail } = composer.link(user, 'password_reset', user.email, now, row.id)
    if (await repos.outbox.resolve(row.id, lease, link, mail.payload, now)) {
      audit({ log }, 'password_reset_requested', { user_id: user.id, outbox_id: row.id })
    }
  }

  async function handle(row: OutboxRow) {
    const lease = row.leaseId!
    try {
      await (row.kind === 'mail' ? deliver(row, lease) : resolve(row, lease))
    } catch (err) {
      // A payload that does not open never will: given up at once, like a row out of attempts.
      const giveUp = err instanceof UnreadablePayload || row.attempts >= timings.maxAttempts
      log.error({ outbox_id: row.id, attempts: row.attempts, error: errorText(err) }, giveUp ? 'outbox row given up' : 'outbox row not processed; will retry')
      const next = giveUp ? null : new Date(Date.now() + backoff(row.attempts))
      // With the database down this fails too: the row is then taken again when its lease ends.
      await repos.outbox.release(row.id, lease, errorText(err), next).catch(() => undefined)
    }
  }

  async function prune() {
    const now = Date.now()
    if (now - prunedAt < timings.pruneEveryMs) return
    prunedAt = now
    const links = await repos.emailLinks.pruneExpired(new Date(now))
    const failed = await repos.outbox.pruneFailed(new Date(now - timings.keepFailedMs))
    if (links || failed) log.info({ event: 'email_links_pruned', links, failed_mails: failed }, 'expired links and old failed mails pruned')
  }

  async function drain() {
    await prune()
    while (!stopped) {
      const now = Date.now()
      const row = await repos.outbox.claim(randomUUID(), new Date(now), new Date(now + timings.leaseMs))
      if (!row) return
      await handle(row)
    }
  }

  function schedule(ms: number) {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(run, ms)
    timer.unref()
  }

  function run() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    again = false
    running = drain()
      .catch((err: unknown) => log.error({ error: errorText(err) }, 'outbox unavailable; will retry'))
      .finally(() => {
        running = undefined
        schedule(again ? 0 : timings.pollMs)
      })
  }

  return {
    start: () => schedule(0),
    /** Looks at the outbox now: a row was just added here. */
    wake: run,
    /** Stops claiming; a send in flight gets `graceMs` to finish, then is aborted (its row is retried later). */
    async stop(graceMs = 5000) {
      stopped = true
      clearTimeout(timer)
      const abort = setTimeout(() => inFlight.forEach((c) => c.abort()), graceMs)
      abort.unref()
      await running
      clearTimeout(abort)
    },
  }
}
