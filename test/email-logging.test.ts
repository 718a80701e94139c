// Logs of the email lifecycle: each step a security event with its user, never a token or a
// link, and nothing that tells whether an unknown email was asked for.
import t from 'tap'
import { bearer, build, logCapture, login } from './helper.js'
import { NOTICE, PASSWORD, RESET, VERIFY, drained, member, post } from './email-helpers.js'
import { linkIn, mailServer } from './mail-server.js'

t.test('the email lifecycle logs its security events and never a token or a link', async (t) => {
  const smtp = await mailServer(t)
  const logs = logCapture()
  const app = await build(t, { SMTP_URL: smtp.url, LOG_LEVEL: 'trace' }, { logStream: logs.stream })

  const alice = await member(app, 'alice')
  const verify = linkIn(await smtp.waitFor(alice.email, VERIFY), 'verify-email')
  await post(app, '/email/verify', { token: verify.token })
  await post(app, '/email/verify', { token: verify.token })
  const inUrl = await app.inject({ method: 'GET', url: `/app/verify-email?token=${verify.token}` })

  await post(app, '/password/forgot', { email: alice.email })
  await post(app, '/password/forgot', { email: 'ghost@example.com' })
  const reset = linkIn(await smtp.waitFor(alice.email, RESET), 'reset-password')
  await drained(app)
  const requestsLogged = logs.lines.filter((l) => l.event === 'password_reset_requested').length
  await post(app, '/password/reset', { token: reset.token, new_password: 'a-brand-new-passphrase' })

  const fresh = await login(app, 'alice', 'a-brand-new-passphrase')
  await app.inject({
    method: 'PUT',
    url: '/me/email',
    headers: bearer(fresh.access_token),
    payload: { email: 'alice@example.org', current_password: 'a-brand-new-passphrase' },
  })
  const second = linkIn(await smtp.waitFor('alice@example.org', VERIFY), 'verify-email')
  await smtp.waitFor(alice.email, NOTICE)
  await post(app, '/email/verify/resend', undefined, bearer(fresh.access_token))
  const third = linkIn(await smtp.waitFor('alice@example.org', VERIFY, 2), 'verify-email')
  await drained(app)

  t.test('no token, no link, no password in any line', async (t) => {
    const everything = logs.raw.join('\n')
    t.ok(logs.raw.length > 20, `${logs.raw.length} lines captured`)
    for (const link of [verify, reset, second, third]) {
      t.notOk(everything.includes(link.token), `not logged: ${link.token.slice(0, 6)}…`)
      t.notOk(everything.includes(link.url), 'nor its link')
    }
    t.notOk(everything.includes(PASSWORD), 'no password')
    t.notOk(everything.includes('a-brand-new-passphrase'), 'no new password')
    // Requests are logged by their route, never their URL: a token in a query string cannot reach a line.
    t.ok(logs.lines.some((l) => l.reqId === inUrl.headers['x-request-id'] && l.msg === 'request completed'), 'the request with a token in its URL is logged')
    t.notMatch(everything, /verify-email\?token=/, 'without its query string')
  })

  t.test('nothing tells that an unknown email was asked for', async (t) => {
    t.notOk(logs.raw.some((l) => l.includes('ghost@example.com')), 'the unknown address appears nowhere')
    t.equal(requestsLogged, 1, 'one password_reset_requested: the known account’s')
    const forgotLines = logs.lines.filter((l) => l.route === '/password/forgot' && l.msg === 'request completed')
    t.equal(forgotLines.length, 2, 'both requests logged alike, as requests')
  })

  t.test('each step: one event with its user and the request id', async (t) => {
    const find = (event: string) => logs.lines.filter((l) => l.event === event)
    t.equal(find('email_verification_sent').length, 3, 'register, email change, resend')
    t.equal(find('email_verified').length, 1, 'the reused link is no event')
    t.equal(find('password_reset').length, 1)
    t.equal(find('email_changed').length, 1)
    for (const event of ['email_verification_sent', 'email_verified', 'password_reset', 'email_changed', 'password_reset_requested']) {
      for (const line of find(event)) t.match(line, { user_id: alice.id, level: 30 }, `${event} names the user`)
    }
    for (const event of ['email_verification_sent', 'email_verified', 'password_reset', 'email_changed']) {
      t.ok(find(event).every((l) => typeof l.reqId === 'string'), `${event} has the request id`)
    }
    t.match(find('password_reset')[0], { revoked_sessions: 1 })
    t.match(find('password_reset_requested')[0], { component: 'outbox' })
  })

  t.test('delivery is logged without recipient or content', async (t) => {
    const sent = logs.lines.filter((l) => l.msg === 'mail sent')
    t.equal(sent.length, smtp.mails.length, 'one line per mail')
    t.notOk(sent.some((l) => JSON.stringify(l).includes('@example')), 'no address in them')
  })
})
