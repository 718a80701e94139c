// Email verification: the mail /register sends, POST /email/verify, POST /email/verify/resend,
// and EMAIL_VERIFICATION=required on /register, /login and /refresh.
import t from 'tap'
import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { bearer, expectError, login, rawQuery } from './helper.js'
import { PASSWORD, PUBLIC_URL, VERIFY, drained, linkRows, mailApp, member, millis, pause, post, verifyToken } from './email-helpers.js'
import { linkIn } from './mail-server.js'

t.test('registering with an email sends a verification mail whose link verifies it once', async (t) => {
  const { app, smtp } = await mailApp(t, { MAIL_FROM: 'Shop Accounts <accounts@stores.example>' })
  const alice = await member(app, 'alice')
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: alice.headers })).json().email_verified, false, 'unverified at first')

  const mail = await smtp.waitFor(alice.email, VERIFY)
  t.equal(mail.subject, 'Verify your email address for Stores API')
  t.equal(mail.from, '"Shop Accounts" <accounts@stores.example>', 'sender from MAIL_FROM')
  t.equal(mail.to, alice.email)
  const { url, token } = linkIn(mail, 'verify-email')
  t.equal(url, `${PUBLIC_URL}/app/verify-email?token=${token}`, 'the link API.md names, under PUBLIC_URL')
  t.match(token, /^[A-Za-z0-9_-]{43,}$/, 'base64url, at least 256 bits')
  t.match(mail.text, /expires in 24 hours/)
  t.ok(mail.html.includes(`href="${url}"`), 'the HTML part links the same URL')

  t.test('only the hash of the token is stored, with the 24 h lifetime', async (t) => {
    const [row] = await linkRows(app, alice.id)
    t.equal(row?.token_hash, createHash('sha256').update(token).digest('hex'))
    t.notOk(JSON.stringify(row).includes(token), 'no token in the row')
    t.equal(millis(row?.expires_at) - millis(row?.created_at), 24 * 3600 * 1000)
    await drained(app)
    t.same(await rawQuery(app, sql`SELECT * FROM outbox`), [], 'the sent mail left the outbox')
  })

  t.test('POST /email/verify: 200 User with email_verified true, then the link is used up', async (t) => {
    const res = await post(app, '/email/verify', { token })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: alice.id, email: alice.email, email_verified: true })
    t.equal((await app.inject({ method: 'GET', url: '/me', headers: alice.headers })).json().email_verified, true)
    expectError(t, await post(app, '/email/verify', { token }), 400, 'invalid_link')
  })

  t.test('bad tokens of any form: 400 invalid_link; bad bodies: 400 validation_error', async (t) => {
    for (const bad of ['x', 'A'.repeat(43), token.slice(0, -1), `${token}=`, '../../etc']) {
      expectError(t, await post(app, '/email/verify', { token: bad }), 400, 'invalid_link')
    }
    expectError(t, await post(app, '/email/verify', {}), 400, 'validation_error')
    expectError(t, await post(app, '/email/verify', { token, user_id: 1 }), 400, 'validation_error')
    expectError(t, await post(app, '/email/verify', { token: 42 }), 400, 'validation_error')
  })

  t.test('a reset link does not verify', async (t) => {
    const bob = await member(app, 'bob')
    t.equal((await post(app, '/password/forgot', { email: bob.email })).statusCode, 202)
    const reset = linkIn(await smtp.waitFor(bob.email, /^Reset/), 'reset-password').token
    expectError(t, await post(app, '/email/verify', { token: reset }), 400, 'invalid_link')
  })
})

t.test('POST /email/verify/resend', async (t) => {
  const { app, smtp } = await mailApp(t)
  const carol = await member(app, 'carol')
  const first = await verifyToken(smtp, carol.email)

  t.test('needs an access token', async (t) => {
    expectError(t, await post(app, '/email/verify/resend'), 401, 'authorization_required')
  })

  t.test('202, and the new link voids the older one', async (t) => {
    const res = await post(app, '/email/verify/resend', undefined, carol.headers)
    t.equal(res.statusCode, 202)
    t.match(res.json(), { message: /verification link/ })
    const second = await verifyToken(smtp, carol.email, 2)
    t.not(second, first)
    expectError(t, await post(app, '/email/verify', { token: first }), 400, 'invalid_link')
    const rows = await linkRows(app, carol.id)
    t.ok(rows[0]?.superseded_at, 'the first link is marked superseded')
    t.equal((await post(app, '/email/verify', { token: second })).statusCode, 200, 'the newest works')
  })

  t.test('verified, or without an email: the same 202, and nothing is sent', async (t) => {
    t.equal((await post(app, '/register', { username: 'dave', password: PASSWORD })).statusCode, 201)
    const dave = await login(app, 'dave', PASSWORD)
    const before = smtp.mails.length
    const verified = await post(app, '/email/verify/resend', undefined, carol.headers)
    const noEmail = await post(app, '/email/verify/resend', undefined, bearer(dave.access_token))
    t.equal(verified.statusCode, 202)
    t.equal(noEmail.statusCode, 202)
    t.same(noEmail.json(), verified.json(), 'one body for every case')
    t.match((await app.inject({ method: 'GET', url: '/me', headers: bearer(dave.access_token) })).json(), { email: null, email_verified: false })
    await drained(app)
    t.equal(smtp.mails.length, before, 'no mail')
  })
})

t.test('an expired verification link: 400 invalid_link', async (t) => {
  const { app, smtp } = await mailApp(t, { EMAIL_VERIFY_EXPIRES: '1s' })
  const erin = await member(app, 'erin')
  const token = await verifyToken(smtp, erin.email)
  t.match((await smtp.waitFor(erin.email, VERIFY)).text, /expires in 1 second\./)
  await pause(1100)
  expectError(t, await post(app, '/email/verify', { token }), 400, 'invalid_link')
  t.equal((await app.inject({ method: 'GET', url: '/me', headers: erin.headers })).json().email_verified, false)
})

t.test('EMAIL_VERIFICATION=required', async (t) => {
  const { app, smtp } = await mailApp(t, { EMAIL_VERIFICATION: 'required' })

  t.test('/register without an email: 400 validation_error, nothing created', async (t) => {
    const res = await post(app, '/register', { username: 'frank', password: PASSWORD })
    expectError(t, res, 400, 'validation_error')
    t.match(res.json().details, [{ path: '/email' }])
    t.equal((await app.repos.users.findByLogin('frank')), undefined)
  })

  t.test('/login of an unverified user: 403 email_unverified, then 200 once verified', async (t) => {
    t.equal((await post(app, '/register', { username: 'grace', password: PASSWORD, email: 'grace@example.com' })).statusCode, 201)
    expectError(t, await post(app, '/login', { username: 'grace', password: PASSWORD }), 403, 'email_unverified')
    expectError(t, await post(app, '/login', { username: 'grace', password: 'wrong-password' }), 401, 'invalid_credentials')
    t.equal((await post(app, '/email/verify', { token: await verifyToken(smtp, 'grace@example.com') })).statusCode, 200)
    t.equal((await post(app, '/login', { email: 'grace@example.com', password: PASSWORD })).statusCode, 200)
  })

  t.test('/refresh after the email became unverified: 403 email_unverified', async (t) => {
    const tokens = await login(app, 'grace', PASSWORD)
    const change = await app.inject({
      method: 'PUT',
      url: '/me/email',
      headers: bearer(tokens.access_token),
      payload: { email: 'grace@example.org', current_password: PASSWORD },
    })
    t.equal(change.statusCode, 200)
    expectError(t, await post(app, '/refresh', undefined, bearer(tokens.refresh_token)), 403, 'email_unverified')
    await post(app, '/email/verify', { token: await verifyToken(smtp, 'grace@example.org') })
    t.equal((await post(app, '/refresh', undefined, bearer(tokens.refresh_token))).statusCode, 200, 'verified again: refresh works')
  })
})

t.test('EMAIL_VERIFICATION=optional (the default): unverified users log in', async (t) => {
  const { app } = await mailApp(t)
  await member(app, 'heidi')
  t.equal((await post(app, '/login', { username: 'heidi', password: PASSWORD })).statusCode, 200)
  t.equal((await post(app, '/register', { username: 'ivan', password: PASSWORD })).statusCode, 201, 'no email needed')
})
