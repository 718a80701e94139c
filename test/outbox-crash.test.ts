// The real service (the build `npm start` runs) in a child process: a kill -9 between the 202
// of /password/forgot and the delivery loses nothing (the restarted service takes the dead
// one's claim over and sends the mail once), and without SMTP_URL mails land in ./data/mail/.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { TEST_SECRET, tempDir } from './helper.js'
import { sharedDatabase, sharedKind, skipUnlessReachable, startHealthy } from './processes.js'
import { linkIn, mailServer } from './mail-server.js'
import { PASSWORD, RESET, VERIFY } from './email-helpers.js'

const kind = sharedKind('sqlite')

async function call(base: string, url: string, payload: object) {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

t.test(`kill -9 between the 202 and the delivery: the mail arrives after the restart (${kind})`, { skip: await skipUnlessReachable(kind) }, async (t) => {
  const cwd = tempDir(t)
  const smtp = await mailServer(t)
  const env = { SMTP_URL: smtp.url, JWT_SECRET_KEY: TEST_SECRET, AUTH_RATE_LIMIT: '0', DATABASE_URL: await sharedDatabase(t, cwd, kind) }
  const first = await startHealthy(t, cwd, env)
  t.equal((await call(first.url, '/register', { username: 'alice', password: PASSWORD, email: 'alice@example.com' })).status, 201)
  await smtp.waitFor('alice@example.com', VERIFY)

  // The next SMTP connection hangs before the greeting: the service is mid-delivery when killed.
  const stalled = smtp.stallNext()
  const forgot = await call(first.url, '/password/forgot', { email: 'alice@example.com' })
  t.equal(forgot.status, 202, '202: the request is recorded')
  await stalled
  first.child.kill('SIGKILL')
  t.equal(await first.exited, null, 'killed by the signal, mid-delivery')
  const killedAt = Date.now()
  t.same(smtp.to('alice@example.com', RESET), [], 'nothing was delivered before the kill')

  const second = await startHealthy(t, cwd, env)
  const restartedAt = Date.now()
  const mail = await smtp.waitFor('alice@example.com', RESET, 1, 60_000)
  const afterRestart = (mail.at - restartedAt) / 1000
  t.comment(`kill -9: the mail arrived ${afterRestart.toFixed(2)} s after the restart (${((mail.at - killedAt) / 1000).toFixed(2)} s after the kill)`)
  console.log(`# loss test (kill -9): mail arrived ${afterRestart.toFixed(2)} s after the restart, ${((mail.at - killedAt) / 1000).toFixed(2)} s after the kill`)

  const { token } = linkIn(mail, 'reset-password')
  t.equal((await call(second.url, '/password/reset', { token, new_password: 'a-brand-new-passphrase' })).status, 200, 'its link works')
  await new Promise((r) => setTimeout(r, 1500))
  t.equal(smtp.to('alice@example.com', RESET).length, 1, 'sent once')
  const output = first.output() + second.output()
  t.notOk(output.includes(token), 'the token is in no log line')
  t.match(output, /"msg":"mail sent"/)
})

t.test('without SMTP_URL, mails are .eml files in ./data/mail/ of the working directory, named in a log line', async (t) => {
  const cwd = tempDir(t)
  const server = await startHealthy(t, cwd, { JWT_SECRET_KEY: TEST_SECRET, AUTH_RATE_LIMIT: '0' })
  t.equal((await call(server.url, '/register', { username: 'bob', password: PASSWORD, email: 'bob@example.com' })).status, 201)
  const dir = join(cwd, 'data/mail')
  const mails = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [])
  for (const until = Date.now() + 20_000; Date.now() < until && !mails().length; ) await new Promise((r) => setTimeout(r, 50))
  const [file] = mails()
  t.match(file, /\.eml$/)
  const mail = await simpleParser(readFileSync(join(dir, file!)))
  t.equal(mail.subject, 'Verify your email address for Stores API')
  const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1]
  t.ok(token, 'the link is in the mail')
  for (const until = Date.now() + 5000; Date.now() < until && !server.output().includes(file!); ) await new Promise((r) => setTimeout(r, 50))
  t.match(server.output(), new RegExp(`"msg":"mail written to data/mail/${file!.replace(/\./g, '\\.')}"`), 'a log line names the file')
  t.notOk(server.output().includes(token!), 'but never the token')
})
