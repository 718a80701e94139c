// POST /password/forgot and POST /password/reset: one answer for every email, the request
// recorded as one write, the link resolved by the sender; a reset revokes every session.
import t from 'tap'
import { sql } from 'drizzle-orm'
import { bearer, build, expectError, login, rawQuery } from './helper.js'
import { PASSWORD, RESET, drained, linkRows, mailApp, member, pause, post, resetToken, sharedDatabase, verifyToken } from './email-helpers.js'
import { mailServer } from './mail-server.js'

const NEW_PASSWORD = 'a-brand-new-passphrase'

t.test('/password/forgot answers the same for every email, records one like write, and mails only active accounts', async (t) => {
  const smtp = await mailServer(t)
  const env = { SMTP_URL: smtp.url, DATABASE_URL: await sharedDatabase(t) }
  // This instance only records: the rows are looked at before a second instance sends them.
  const front = await build(t, env, { outbox: { paused: true } })
  await member(front, 'admin')
  const alice = await member(front, 'alice')
  const gone = await member(front, 'gonzo')
  const admin = await login(front, 'admin', PASSWORD)
  t.equal((await front.inject({ method: 'PATCH', url: `/user/${gone.id}`, headers: bearer(admin.access_token), payload: { is_active: false } })).statusCode, 200)
  await rawQuery(front, sql`DELETE FROM outbox`)

  const asked = ['alice@example.com', 'ghost@example.com', 'gonzo@example.com']
  const answers = []
  for (const email of asked) answers.push(await post(front, '/password/forgot', { email }))
  for (const res of answers) {
    t.equal(res.statusCode, 202)
    t.same(res.json(), answers[0]!.json(), 'one body for every email')
    t.notMatch(res.body, /@/, 'the address is not echoed')
    t.same(Object.keys(res.headers).sort(), Object.keys(answers[0]!.headers).sort(), 'the same headers')
  }

  const rows = await rawQuery(front, sql`SELECT * FROM outbox ORDER BY created_at`)
  t.equal(rows.length, 3, 'one row per request, known or not')
  t.same(new Set(rows.map((r) => r.kind)), new Set(['password_reset_request']), 'of one kind')
  t.same(new Set(rows.map((r) => String(r.payload).length)), new Set([String(rows[0]!.payload).length]), 'payloads of one size (same-length addresses)')
  t.notOk(rows.some((r) => asked.some((email) => JSON.stringify(r).includes(email))), 'the address is sealed')
  t.same(await linkRows(front, alice.id).then((r) => r.filter((l) => l.kind === 'password_reset')), [], 'no link made yet')

  const sender = await build(t, env)
  await smtp.waitFor(alice.email, RESET)
  await drained(sender)
  t.same(smtp.to('ghost@example.com'), [], 'nothing for an unknown email')
  t.same(smtp.to(gone.email, RESET), [], 'nothing for a deactivated account')
  t.equal(smtp.to(alice.email, RESET).length, 1, 'one reset mail for the active account')
})

t.test('POST /password/reset', async (t) => {
  const { app, smtp } = await mailApp(t)
  const alice = await member(app, 'alice')
  const other = await login(app, 'alice', PASSWORD)
  t.equal((await post(app, '/password/forgot', { email: 'ALICE@example.com' })).statusCode, 202)
  const mail = await smtp.waitFor(alice.email, RESET)
  t.equal(mail.subject, 'Reset your Stores API password')
  t.match(mail.text, /expires in 30 minutes/)
  const token = await resetToken(smtp, alice.email)
  const [link] = (await linkRows(app, alice.id)).filter((l) => l.kind === 'password_reset')
  t.ok(link, 'a reset link row')

  t.test('bad bodies: 400 validation_error, a bad token: 400 invalid_link', async (t) => {
    expectError(t, await post(app, '/password/reset', { token, new_password: 'short' }), 400, 'validation_error')
    expectError(t, await post(app, '/password/reset', { token, new_password: NEW_PASSWORD, email: alice.email }), 400, 'validation_error')
    expectError(t, await post(app, '/password/reset', { new_password: NEW_PASSWORD }), 400, 'validation_error')
    expectError(t, await post(app, '/password/reset', { token: `${token}x`, new_password: NEW_PASSWORD }), 400, 'invalid_link')
    const verify = await verifyToken(smtp, alice.email)
    expectError(t, await post(app, '/password/reset', { token: verify, new_password: NEW_PASSWORD }), 400, 'invalid_link')
    t.equal((await post(app, '/login', { username: 'alice', password: PASSWORD })).statusCode, 200, 'the password is unchanged')
  })

  t.test('200: the new password works, every session is revoked, the email counts as verified', async (t) => {
    const res = await post(app, '/password/reset', { token, new_password: NEW_PASSWORD })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { message: String })
    for (const access of [alice.access, other.access_token]) {
      expectError(t, await app.inject({ method: 'GET', url: '/me', headers: bearer(access) }), 401, 'token_revoked')
    }
    for (const refresh of [alice.refresh, other.refresh_token]) {
      expectError(t, await post(app, '/refresh', undefined, bearer(refresh)), 401, 'token_revoked')
    }
    expectError(t, await post(app, '/login', { username: 'alice', password: PASSWORD }), 401, 'invalid_credentials')
    const fresh = await login(app, 'alice', NEW_PASSWORD)
    t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(fresh.access_token) })).json(), { email_verified: true })
  })

  t.test('the link works once', async (t) => {
    expectError(t, await post(app, '/password/reset', { token, new_password: 'yet-another-password' }), 400, 'invalid_link')
    t.equal((await post(app, '/login', { username: 'alice', password: NEW_PASSWORD })).statusCode, 200)
  })

  t.test('a newer reset link voids the older one', async (t) => {
    await post(app, '/password/forgot', { email: alice.email })
    const older = await resetToken(smtp, alice.email, 2)
    await post(app, '/password/forgot', { email: alice.email })
    const newer = await resetToken(smtp, alice.email, 3)
    expectError(t, await post(app, '/password/reset', { token: older, new_password: 'older-link-password' }), 400, 'invalid_link')
    t.equal((await post(app, '/password/reset', { token: newer, new_password: 'newer-link-password' })).statusCode, 200)
  })

  t.test('a link of a since deactivated account: 403 user_inactive, and it stays unused', async (t) => {
    const bob = await member(app, 'bob')
    await post(app, '/password/forgot', { email: bob.email })
    const bobToken = await resetToken(smtp, bob.email)
    const admin = await login(app, 'alice', 'newer-link-password')
    const patch = (is_active: boolean) =>
      app.inject({ method: 'PATCH', url: `/user/${bob.id}`, headers: bearer(admin.access_token), payload: { is_active } })
    t.equal((await patch(false)).statusCode, 200)
    expectError(t, await post(app, '/password/reset', { token: bobToken, new_password: NEW_PASSWORD }), 403, 'user_inactive')
    t.equal((await patch(true)).statusCode, 200)
    t.equal((await post(app, '/password/reset', { token: bobToken, new_password: NEW_PASSWORD })).statusCode, 200, 'reactivated: the link still works')
  })
})

t.test('an expired reset link: 400 invalid_link, the password unchanged', async (t) => {
  const { app, smtp } = await mailApp(t, { PASSWORD_RESET_EXPIRES: '1' })
  const carol = await member(app, 'carol')
  await post(app, '/password/forgot', { email: carol.email })
  const token = await resetToken(smtp, carol.email)
  await pause(1100)
  expectError(t, await post(app, '/password/reset', { token, new_password: NEW_PASSWORD }), 400, 'invalid_link')
  t.equal((await post(app, '/login', { username: 'carol', password: PASSWORD })).statusCode, 200)
})

t.test('/password/forgot is rate limited per client address and per email, alike for known and unknown ones', async (t) => {
  const { app } = await mailApp(t, { AUTH_RATE_LIMIT: '2' })
  await member(app, 'dave')
  const forgot = (email: string, remoteAddress: string) => app.inject({ method: 'POST', url: '/password/forgot', payload: { email }, remoteAddress })
  for (const email of ['dave@example.com', 'nobody@example.com']) {
    const statuses = [await forgot(email, '10.0.0.1'), await forgot(email.toUpperCase(), '10.0.0.2'), await forgot(email, '10.0.0.3')].map((r) => r.statusCode)
    t.same(statuses, [202, 202, 429], `per email (${email.startsWith('dave') ? 'known' : 'unknown'})`)
  }
  const sameAddress = [await forgot('a@example.com', '10.0.0.9'), await forgot('b@example.com', '10.0.0.9'), await forgot('c@example.com', '10.0.0.9')]
  t.same(sameAddress.map((r) => r.statusCode), [202, 202, 429], 'per client address')
  expectError(t, sameAddress[2]!, 429, 'too_many_requests')
  t.match(sameAddress[2]!.headers['retry-after'], /^[0-9]+$/)
})

t.test('/password/forgot rejects bad bodies', async (t) => {
  const { app } = await mailApp(t)
  for (const payload of [{}, { email: 'not-an-email' }, { email: 'a@example.com', username: 'a' }, { email: 42 }]) {
    expectError(t, await post(app, '/password/forgot', payload), 400, 'validation_error')
  }
})
