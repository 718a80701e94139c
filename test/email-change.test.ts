// PUT /me/email: the new address unverified with a verification mail, a notice without a
// link to the old one, older links void; wrong password, taken address, stale token.
import t from 'tap'
import { bearer, expectError, login } from './helper.js'
import { NOTICE, PASSWORD, VERIFY, drained, linkRows, mailApp, member, post, resetToken, verifyToken } from './email-helpers.js'
import type { App } from '../src/app.js'

const putEmail = (app: App, headers: Record<string, string>, payload: object) => app.inject({ method: 'PUT', url: '/me/email', headers, payload })

t.test('PUT /me/email', async (t) => {
  const { app, smtp } = await mailApp(t)
  const alice = await member(app, 'alice', 'alice@old.example')
  const oldLink = await verifyToken(smtp, alice.email)

  t.test('needs a fresh token: a refreshed one is 401 fresh_token_required', async (t) => {
    const refreshed = (await post(app, '/refresh', undefined, bearer(alice.refresh))).json()
    alice.refresh = refreshed.refresh_token
    const res = await putEmail(app, bearer(refreshed.access_token), { email: 'x@new.example', current_password: PASSWORD })
    expectError(t, res, 401, 'fresh_token_required')
    expectError(t, await putEmail(app, {}, { email: 'x@new.example', current_password: PASSWORD }), 401, 'authorization_required')
  })

  t.test('a wrong current password: 403 invalid_credentials, nothing changes, nothing is sent', async (t) => {
    const mailsBefore = smtp.mails.length
    expectError(t, await putEmail(app, alice.headers, { email: 'alice@new.example', current_password: 'not-the-password' }), 403, 'invalid_credentials')
    t.match((await app.inject({ method: 'GET', url: '/me', headers: alice.headers })).json(), { email: alice.email })
    t.equal((await linkRows(app, alice.id)).length, 1, 'no new link')
    await drained(app)
    t.equal(smtp.mails.length, mailsBefore, 'no mail')
  })

  t.test('an email another account has, in any case: 409 conflict, nothing changes', async (t) => {
    await member(app, 'bob', 'bob@example.com')
    expectError(t, await putEmail(app, alice.headers, { email: 'BOB@example.com', current_password: PASSWORD }), 409, 'conflict')
    t.match((await app.inject({ method: 'GET', url: '/me', headers: alice.headers })).json(), { email: alice.email })
    t.equal((await linkRows(app, alice.id)).length, 1, 'no new link')
  })

  t.test('bad bodies: 400 validation_error', async (t) => {
    for (const payload of [{ email: 'not-an-email', current_password: PASSWORD }, { email: 'a@b.example' }, { email: 'a@b.example', current_password: PASSWORD, email_verified: true }]) {
      expectError(t, await putEmail(app, alice.headers, payload), 400, 'validation_error')
    }
  })

  t.test('200 User with the new email unverified; a verification mail to it, a notice without a link to the old one', async (t) => {
    const res = await putEmail(app, alice.headers, { email: 'alice@new.example', current_password: PASSWORD })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: alice.id, email: 'alice@new.example', email_verified: false })

    const verification = await smtp.waitFor('alice@new.example', VERIFY)
    t.match(verification.text, /alice@new\.example is the email address/)
    const notice = await smtp.waitFor(alice.email, NOTICE)
    t.equal(notice.subject, 'The email address of your Stores API account was changed')
    t.notMatch(notice.text, /token=|https?:\/\//, 'no link at all in the notice')
    t.notMatch(notice.html, /token=|href=/)
    t.notMatch(notice.text, /alice@new\.example/, 'the notice does not tell the old address the new one')
  })

  t.test('the old verification link is void; the new one verifies the new address', async (t) => {
    expectError(t, await post(app, '/email/verify', { token: oldLink }), 400, 'invalid_link')
    const res = await post(app, '/email/verify', { token: await verifyToken(smtp, 'alice@new.example') })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { email: 'alice@new.example', email_verified: true })
    t.equal((await post(app, '/login', { email: 'alice@new.example', password: PASSWORD })).statusCode, 200, 'login by the new email')
    expectError(t, await post(app, '/login', { email: 'alice@old.example', password: PASSWORD }), 401, 'invalid_credentials')
  })

  t.test('a reset link sent before the change is void after it', async (t) => {
    t.equal((await post(app, '/password/forgot', { email: 'alice@new.example' })).statusCode, 202)
    const reset = await resetToken(smtp, 'alice@new.example')
    const fresh = await login(app, 'alice', PASSWORD)
    t.equal((await putEmail(app, bearer(fresh.access_token), { email: 'alice@third.example', current_password: PASSWORD })).statusCode, 200)
    expectError(t, await post(app, '/password/reset', { token: reset, new_password: 'another-password-1' }), 400, 'invalid_link')
    t.equal((await post(app, '/login', { username: 'alice', password: PASSWORD })).statusCode, 200, 'the password did not change')
  })

  t.test('the same address in another case: unverified again with a new link, but no notice', async (t) => {
    const fresh = await login(app, 'alice', PASSWORD)
    const notices = smtp.to('alice@third.example', NOTICE).length
    const res = await putEmail(app, bearer(fresh.access_token), { email: 'Alice@Third.example', current_password: PASSWORD })
    t.match(res.json(), { email: 'Alice@Third.example', email_verified: false })
    await smtp.waitFor('alice@third.example', VERIFY, 2)
    await drained(app)
    t.equal(smtp.to('alice@third.example', NOTICE).length, notices, 'no notice to the same address')
  })
})

t.test('an account without an email gets one: a verification mail and no notice', async (t) => {
  const { app, smtp } = await mailApp(t)
  t.equal((await post(app, '/register', { username: 'carol', password: PASSWORD })).statusCode, 201)
  const tokens = await login(app, 'carol', PASSWORD)
  const res = await putEmail(app, bearer(tokens.access_token), { email: 'carol@example.com', current_password: PASSWORD })
  t.match(res.json(), { email: 'carol@example.com', email_verified: false })
  await smtp.waitFor('carol@example.com', VERIFY)
  await drained(app)
  t.equal(smtp.mails.length, 1, 'only the verification mail')
})
