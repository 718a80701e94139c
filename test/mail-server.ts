// A real SMTP server for the tests (smtp-server, from the nodemailer project): the service
// sends to it over TCP as to any mail server, and each message is parsed with mailparser.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { simpleParser, type AddressObject } from 'mailparser'

type Tap = { teardown(fn: () => unknown): void }

export interface ReceivedMail {
  to: string
  from: string
  subject: string
  text: string
  html: string
  /** When it arrived (Date.now()). */
  at: number
}

const address = (a: AddressObject | AddressObject[] | undefined) => [a ?? []].flat().map((o) => o.text).join(', ')

/** The link of `page` (`verify-email`, `reset-password`) in a mail's text, and its token. */
export function linkIn(mail: ReceivedMail, page: string) {
  const match = new RegExp(`(\\S+/app/${page}\\?token=([A-Za-z0-9_-]+))`).exec(mail.text)
  if (!match) throw new Error(`no ${page} link in: ${mail.text}`)
  return { url: match[1]!, token: match[2]! }
}

export interface MailServerOptions {
  /** Require AUTH with these credentials (plain, over the test's loopback connection). */
  auth?: { user: string; pass: string }
}

/**
 * Listens on a free port until teardown; `stop()` and `start()` take it down and back up on
 * the same port, and `stallNext()` makes the next connection hang before the greeting.
 */
export async function mailServer(t: Tap, options: MailServerOptions = {}) {
  let port = 0
  const mails: ReceivedMail[] = []
  const listeners = new Set<() => void>()
  let stall: (() => void) | undefined
  let server: SMTPServer | undefined

  const settings: SMTPServerOptions = {
    logger: false,
    closeTimeout: 200,
    // No STARTTLS: the test server has no certificate a client would trust.
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass
      callback(ok ? null : new Error('Invalid username or password'), ok ? { user: auth.username } : undefined)
    },
    onConnect(_session, callback) {
      if (!stall) return callback()
      // Never answers: the sender is left mid-delivery.
      const stalled = stall
      stall = undefined
      stalled()
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((parsed) => {
        mails.push({
          to: address(parsed.to),
          from: address(parsed.from),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: parsed.html || '',
          at: Date.now(),
        })
        for (const listener of listeners) listener()
        callback()
      }, callback)
    },
  }

  const api = {
    /** SMTP_URL for the service; the port stays the same across stop() and start(). */
    get url() {
      return `smtp://${options.auth ? `${options.auth.user}:${options.auth.pass}@` : ''}127.0.0.1:${port}`
    },
    mails,
    async start() {
      const started = new SMTPServer(settings)
      await new Promise<void>((resolve) => started.listen(port, '127.0.0.1', resolve))
      port = (started.server.address() as { port: number }).port
      server = started
    },
    async stop() {
      const closing = server
      server = undefined
      if (closing) await new Promise<void>((resolve) => closing.close(resolve))
    },
    /** Resolves when the next connection has arrived and hangs. */
    stallNext() {
      return new Promise<void>((resolve) => (stall = resolve))
    },
    /** The mails to `to` (regardless of case) so far, matching `subject` when given. */
    to(to: string, subject?: RegExp) {
      return mails.filter((m) => m.to.toLowerCase().includes(to.toLowerCase()) && (!subject || subject.test(m.subject)))
    },
    /** Waits for the `n`th mail to `to` (matching `subject`), 1 by default. */
    async waitFor(to: string, subject?: RegExp, n = 1, ms = 30_000): Promise<ReceivedMail> {
      const found = () => api.to(to, subject)[n - 1]
      if (found()) return found()!
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`no mail ${n} to ${to} within ${ms} ms; got: ${mails.map((m) => `${m.to} "${m.subject}"`).join('; ')}`))
        }, ms)
        function check() {
          const mail = found()
          if (!mail) return
          clearTimeout(timer)
          listeners.delete(check)
          resolve(mail)
        }
        listeners.add(check)
      })
    },
  }
  await api.start()
  t.teardown(() => api.stop())
  return api
}
export type MailServer = Awaited<ReturnType<typeof mailServer>>
