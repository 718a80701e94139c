import type { Transporter } from 'nodemailer'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.js'
import type { MailMessage } from './messages.js'

/** Where mails go without SMTP_URL, relative to the working directory like ./data/stores.db. */
export const MAIL_DIR = './data/mail'

/**
 * Each step of an SMTP conversation is bounded, and a whole send is aborted by the caller's
 * signal, so a send never outlives the outbox lease it runs under.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000, dnsTimeout: 5000 }

export interface Delivery {
  messageId: string
  /** The .eml file written, without SMTP_URL. */
  file?: string
}

export interface MailTransport {
  /** Sends the message; `id` (the outbox row's) names the file in file mode. */
  send(message: MailMessage, id: string, signal: AbortSignal): Promise<Delivery>
  close(): void
}

/** nodemailer is loaded with the first mail, not at every start (it is a large module). */
const nodemailer = async () => (await import('nodemailer')).default

/** SMTP through SMTP_URL (STARTTLS when offered on smtp://, TLS from the start on smtps://), or .eml files in `dir`. */
export function mailTransport(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, dir = MAIL_DIR): MailTransport {
  const defaults = { from: config.mailFrom }
  let made: Promise<Transporter> | undefined
  const transporter = () =>
    (made ??= nodemailer().then((mailer) =>
      config.smtpUrl
        ? mailer.createTransport({ ...SMTP_TIMEOUTS, url: config.smtpUrl }, defaults)
        : mailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, defaults),
    ))
  const close = () => void made?.then((t) => t.close())
  if (config.smtpUrl) {
    return {
      async send(message, _id, signal) {
        const info = await (await transporter()).sendMail({ ...message, signal })
        return { messageId: info.messageId }
      },
      close,
    }
  }
  return {
    async send(message, id, signal) {
      const info = await (await transporter()).sendMail({ ...message, signal })
      // The files hold live links: readable by the service's user only.
      await mkdir(dir, { recursive: true, mode: 0o700 })
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`)
      // Written aside and renamed: whoever watches the folder never reads half a mail.
      await writeFile(`${file}.part`, info.message as Buffer, { mode: 0o600 })
      await rename(`${file}.part`, file)
      return { messageId: info.messageId, file }
    },
    close,
  }
}
