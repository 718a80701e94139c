// The mail outbox: retries while the SMTP server is down, bounded attempts, a dead instance's
// claim taken over, each mail sent once by several instances, sealed payloads, SMTP AUTH, and
// the .eml files written without SMTP_URL.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import type { App } from '../src/app.js'
import { build, logCapture, rawQuery, tempDir } from './helper.js'
import { PASSWORD, VERIFY, drained, member, outboxRows, post, sharedDatabase, verifyToken } from './email-helpers.js'
import { linkIn, mailServer } from './mail-server.js'

/** The outbox's rows, oldest first. */
const rows = (app: App) => rawQuery(app, sql`SELECT * FROM outbox ORDER BY created_at`)

/** Polls until `check` holds (at most `ms`). */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    if (await check()) return
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('SMTP server down, then back: the mail waits in the outbox and arrives', async (t) => {
  const smtp = await mailServer(t)
  await smtp.stop()
  const app = await build(t, { SMTP_URL: smtp.url })
  const alice = await member(app, 'alice')

  let row: Record<string, unknown> | undefined
  // attempts counts at the claim: two made and the second released.
  await until('two failed attempts', async () => {
    ;[row] = await rows(app)
    return Number(row?.attempts ?? 0) >= 2 && row?.lease_id === null
  })
  t.match(row, { status: 'pending', lease_id: null, last_error: /ECONNREFUSED|connect/i }, 'the attempt and its error are recorded')

  await smtp.start()
  const back = Date.now()
  const mail = await smtp.waitFor(alice.email, VERIFY)
  const seconds = (mail.at - back) / 1000
  t.comment(`SMTP down then back: the mail arrived ${seconds.toFixed(2)} s after the server came back (${String(row?.attempts)}+ attempts failed before)`)
  console.log(`# loss test (SMTP down): mail arrived ${seconds.toFixed(2)} s after the SMTP server came back`)
  t.equal((await post(app, '/email/verify', { token: linkIn(mail, 'verify-email').token })).statusCode, 200, 'and its link works')
  await drained(app)
  t.equal(smtp.to(alice.email).length, 1, 'sent once')
})

t.test('attempts are bounded: the row is given up, kept with its last error', async (t) => {
  const smtp = await mailServer(t)
  await smtp.stop()
  const logs = logCapture()
  const app = await build(t, { SMTP_URL: smtp.url }, { logStream: logs.stream, outbox: { timings: { maxAttempts: 3, backoffMs: 20, pollMs: 50 } } })
  await member(app, 'bob')
  await until('the row given up', async () => (await outboxRows(app, 'failed')) === 1)
  t.match(await rows(app), [{ status: 'failed', attempts: 3, last_error: /ECONNREFUSED|connect/i }])
  t.equal(logs.lines.filter((l) => l.msg === 'mail not sent; will retry').length, 2, 'two retries logged')
  t.match(logs.lines.find((l) => l.msg === 'mail given up'), { level: 50, attempts: 3 })
  await smtp.start()
  await new Promise((r) => setTimeout(r, 300))
  t.equal(smtp.mails.length, 0, 'a given-up mail is not sent later')
})

t.test('several instances on one database: each mail goes out once', async (t) => {
  const smtp = await mailServer(t)
  const env = { SMTP_URL: smtp.url, DATABASE_URL: await sharedDatabase(t) }
  const apps = [await build(t, env), await build(t, env), await build(t, env)]
  const users = 12
  await Promise.all(Array.from({ length: users }, (_, i) => member(apps[i % apps.length]!, `user${i}`)))
  await Promise.all(Array.from({ length: users }, (_, i) => post(apps[(i + 1) % apps.length]!, '/password/forgot', { email: `user${i}@example.com` })))
  for (let i = 0; i < users; i++) await smtp.waitFor(`user${i}@example.com`, /^Reset/)
  await Promise.all(apps.map((app) => drained(app)))
  await new Promise((r) => setTimeout(r, 300))
  t.equal(smtp.mails.length, users * 2, `${users * 2} mails for ${users} verifications and ${users} resets`)
  for (let i = 0; i < users; i++) t.equal(smtp.to(`user${i}@example.com`).length, 2, `user${i}: one of each`)
})

t.test("a row claimed by an instance that died is taken over once its lease ends", async (t) => {
  const smtp = await mailServer(t)
  const env = { SMTP_URL: smtp.url, DATABASE_URL: await sharedDatabase(t) }
  const dead = await build(t, env, { outbox: { paused: true } })
  const carol = await member(dead, 'carol')
  const leaseEnds = Date.now() + 1500
  const claimed = await dead.repos.outbox.claim('dead-instance', new Date(), new Date(leaseEnds))
  t.ok(claimed, 'claimed, then never finished')

  const survivor = await build(t, env)
  const mail = await smtp.waitFor(carol.email, VERIFY)
  t.ok(mail.at >= leaseEnds, 'not before the lease ended')
  await drained(survivor)
  t.equal(smtp.to(carol.email).length, 1, 'sent once')
  t.equal(await dead.repos.outbox.remove(claimed!.id, 'dead-instance'), false, 'the old lease no longer counts')
})

t.test('the outbox keeps the mail sealed: no token, link or address in the row', async (t) => {
  const smtp = await mailServer(t)
  const env = { SMTP_URL: smtp.url, DATABASE_URL: await sharedDatabase(t) }
  const front = await build(t, env, { outbox: { paused: true } })
  const dave = await member(front, 'dave')
  const [row] = await rows(front)
  t.match(row, { kind: 'mail', payload: /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/ })
  t.notMatch(JSON.stringify(row), /dave|verify-email|token/, 'nothing readable')

  t.test('another JWT_SECRET_KEY cannot open it: the row is given up, nothing sent', async (t) => {
    const stranger = await build(t, { ...env, JWT_SECRET_KEY: 'another-secret-another-secret-another-secret' })
    await until('the row given up', async () => (await outboxRows(stranger, 'failed')) === 1)
    t.match(await rows(stranger), [{ status: 'failed', last_error: /cannot be decrypted/ }])
    t.equal(smtp.mails.length, 0)
  })

  t.test('the right secret opens and sends it', async (t) => {
    await rawQuery(front, sql`UPDATE outbox SET status = 'pending', available_at = created_at`)
    await build(t, env)
    const token = await verifyToken(smtp, dave.email)
    t.equal((await post(front, '/email/verify', { token })).statusCode, 200)
  })
})

t.test('SMTP_URL credentials are used for AUTH', async (t) => {
  const smtp = await mailServer(t, { auth: { user: 'mailer', pass: 's3cret:pass' } })
  t.test('right credentials: delivered', async (t) => {
    const app = await build(t, { SMTP_URL: `smtp://mailer:${encodeURIComponent('s3cret:pass')}@127.0.0.1:${new URL(smtp.url).port}` })
    const erin = await member(app, 'erin')
    await smtp.waitFor(erin.email, VERIFY)
    t.pass('the mail arrived')
  })
  t.test('wrong ones: refused, the row waits with the error', async (t) => {
    const app = await build(t, { SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${new URL(smtp.url).port}` })
    await member(app, 'frank')
    await until('a failed attempt', async () => Boolean((await rows(app))[0]?.last_error))
    t.match(await rows(app), [{ status: 'pending', last_error: /535|auth/i }])
    t.equal(smtp.to('frank@example.com').length, 0)
  })
})

t.test('without SMTP_URL, each mail is an .eml file and a log line names it', async (t) => {
  const dir = join(tempDir(t), 'mail')
  const logs = logCapture()
  const app = await build(t, {}, { logStream: logs.stream, outbox: { mailDir: dir } })
  await post(app, '/register', { username: 'grace', password: PASSWORD, email: 'grace@example.com' })
  await drained(app)
  const files = readdirSync(dir)
  t.equal(files.length, 1)
  t.match(files[0], /\.eml$/)
  const mail = await simpleParser(readFileSync(join(dir, files[0]!)))
  t.equal(mail.subject, 'Verify your email address for Stores API')
  t.match(mail.from?.text, 'no-reply@localhost', 'MAIL_FROM default')
  const { url, token } = linkIn({ to: '', from: '', subject: '', html: '', at: 0, text: mail.text ?? '' }, 'verify-email')
  t.equal(url, `http://127.0.0.1:3000/app/verify-email?token=${token}`, 'PUBLIC_URL default')
  const line = logs.lines.find((l) => typeof l.file === 'string')
  t.match(line, { msg: `mail written to ${join(dir, files[0]!)}`, level: 30 })
  t.notOk(logs.raw.some((l) => l.includes(token)), 'the token is in no log line')
})
