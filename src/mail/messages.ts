// What users read: the three mails, as plain text with an HTML twin. Subjects say what the mail is.

export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
}

const SERVICE = 'Stores API'

/** "24 hours", "30 minutes", "1 hour": a lifetime in the largest whole unit. */
export function inWords(seconds: number): string {
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ]
  const [unit, size] = units.find(([, size]) => seconds % size === 0) ?? ['second', 1]
  const n = seconds / size
  // 86400 s reads better as "24 hours" than "1 day": a day only from two of them.
  if (unit === 'day' && n === 1) return '24 hours'
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The HTML part: the same paragraphs, a link made clickable. */
function html(paragraphs: string[], link?: string) {
  const body = paragraphs.map((p) => (p === link ? `<p><a href="${escape(p)}">${escape(p)}</a></p>` : `<p>${escape(p)}</p>`))
  return `<!doctype html>\n<html><body>\n${body.join('\n')}\n</body></html>\n`
}

function message(to: string, subject: string, paragraphs: string[], link?: string): MailMessage {
  return { to, subject, text: `${paragraphs.join('\n\n')}\n`, html: html(paragraphs, link) }
}

export function verificationMail(to: string, username: string, link: string, ttlSeconds: number): MailMessage {
  return message(
    to,
    `Verify your email address for ${SERVICE}`,
    [
      `Hello ${username},`,
      `Please confirm that ${to} is the email address of your ${SERVICE} account by opening this link:`,
      link,
      `The link works once and expires in ${inWords(ttlSeconds)}. If you did not register or change your email address, ignore this mail.`,
    ],
    link,
  )
}

export function resetMail(to: string, username: string, link: string, ttlSeconds: number): MailMessage {
  return message(
    to,
    `Reset your ${SERVICE} password`,
    [
      `Hello ${username},`,
      `Someone asked to reset the password of your ${SERVICE} account. To choose a new password, open this link:`,
      link,
      `The link works once and expires in ${inWords(ttlSeconds)}. Setting a new password signs you out everywhere. ` +
        'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
    link,
  )
}

/** To the old address after a change: says what happened, carries no link. */
export function emailChangedNotice(to: string, username: string, when: Date): MailMessage {
  return message(to, `The email address of your ${SERVICE} account was changed`, [
    `Hello ${username},`,
    `The email address of your ${SERVICE} account was changed on ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
      'Mail about the account, password resets included, now goes to the new address.',
    'If you did not make this change, contact the administrator of the service.',
  ])
}
