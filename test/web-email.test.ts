// The web app's account-lifecycle pages in Chromium, with the mails the server writes (no
// SMTP_URL: .eml files in ./data/mail/ of its working directory): the verification link from
// the registration mail, "Forgot password?" and the reset link, a changed email address and a
// new verification link, all by roles and labels.
import t from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { simpleParser } from 'mailparser'
import { startServer } from './live-server.js'
import { artifact } from './chromium.js'
import { checkWalk, logIn, openBrowser, openFromMenu, register } from './web-app.js'

const frank = { username: 'frank', password: 'correct horse battery', email: 'frank@example.com' }

/** The token of the link to `page` in the newest mail to `to` whose subject matches, once it is written. */
async function linkToken(dir: string, to: string, subject: RegExp, page: string, after = 0) {
  for (const until = Date.now() + 20_000; Date.now() < until; await sleep(100)) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : []
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))))
    const found = mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === to && subject.test(m.subject ?? ''))
    if (found.length > after) {
      const match = new RegExp(`/app/${page}\\?token=([A-Za-z0-9_-]+)`).exec(found.at(-1)?.text ?? '')
      if (match?.[1]) return { token: match[1], count: found.length }
    }
  }
  throw new Error(`no mail to ${to} matching ${subject} in ${dir}`)
}

t.test('verify the email, reset a forgotten password, change the email', async (t) => {
  const server = await startServer(t)
  const mail = join(server.cwd, 'data', 'mail')
  const browser = await openBrowser(t, server.url)
  if (!browser) return
  const { page, watch } = browser
  const main = page.getByRole('main')

  await register(page, server.url, frank)

  t.test('the link in the registration mail verifies the address', async (t) => {
    const { token } = await linkToken(mail, frank.email, /^Verify your email/, 'verify-email')
    await page.goto(`${server.url}/app/verify-email?token=${token}`)
    t.match(await main.getByRole('status').innerText(), /frank@example\.com is verified/, 'the page says so')
    await page.goto(`${server.url}/app/verify-email?token=${token}`)
    t.match(await main.getByRole('alert').innerText(), /link/i, 'the same link again: the API’s message')
  })

  t.test('“Forgot password?”, the reset link, a new password', async (t) => {
    await page.goto(`${server.url}/app/login`)
    await page.getByRole('link', { name: 'Forgot password?' }).click()
    await main.getByLabel('Email').fill(frank.email)
    await main.getByRole('button', { name: 'Send reset link' }).click()
    t.ok(await main.getByRole('status').innerText(), 'the same answer whatever the address')
    const { token } = await linkToken(mail, frank.email, /^Reset your/, 'reset-password')
    await page.goto(`${server.url}/app/reset-password?token=${token}`)
    await main.getByLabel('New password').fill('a brand new passphrase')
    await page.screenshot({ path: artifact('web-reset-password.png') })
    await main.getByRole('button', { name: 'Set new password' }).click()
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    t.match(await page.getByRole('status').innerText(), /Log in with the new password/, 'the API’s message on the login page')
    frank.password = 'a brand new passphrase'
    await logIn(page, frank)
    t.pass('logged in with the new password')
  })

  t.test('the profile says the email is verified', async (t) => {
    await page.getByRole('banner').getByRole('link', { name: frank.username, exact: true }).click()
    t.match(await main.locator('dl').innerText(), /Email verified\s+yes/)
  })

  t.test('change the email: unverified until its own link; a new link on request', async (t) => {
    await openFromMenu(page, 'Account')
    const form = main.getByRole('form', { name: 'Change email' })
    await form.getByLabel('Email').fill('frank@example.org')
    await form.getByLabel('Current password').fill(frank.password)
    await form.getByRole('button', { name: 'Change email' }).click()
    t.match(await form.getByRole('status').innerText(), /frank@example\.org/, 'where to look for the link')
    const first = await linkToken(mail, 'frank@example.org', /^Verify your email/, 'verify-email')
    await page.getByRole('banner').getByRole('link', { name: frank.username, exact: true }).click()
    const facts = main.locator('dl')
    t.match(await facts.innerText(), /frank@example\.org[\s\S]*Email verified\s+no/, 'the new address, not verified')
    await facts.getByRole('button', { name: 'Send a new link' }).click()
    t.ok(await facts.getByRole('status').innerText(), 'the API’s answer')
    const second = await linkToken(mail, 'frank@example.org', /^Verify your email/, 'verify-email', first.count)
    await page.goto(`${server.url}/app/verify-email?token=${second.token}`)
    t.match(await main.getByRole('status').innerText(), /frank@example\.org is verified/, 'the new link verifies it')
  })

  t.test('nothing else went wrong on the way', async (t) => {
    checkWalk(t, watch, ['POST /email/verify 400'])
  })
})
