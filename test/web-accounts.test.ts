// The web app's account pages in Chromium, with two browsers: the sessions list (one row per
// session, End session on the others), "Log out everywhere", and the admin's Users page
// (deactivate and activate, the admin role) with what the other person sees of each change.
import t from 'tap'
import type { Page } from 'playwright-core'
import { startServer } from './live-server.js'
import { artifact } from './chromium.js'
import { checkWalk, logIn, openBrowser, openFromMenu, register, type Person } from './web-app.js'

const dana = { username: 'dana', password: 'correct horse battery', email: 'dana@example.com' }
const erin = { username: 'erin', password: 'another good passphrase' }

/** From anywhere in the app: the login page, then logged in as `person`. */
async function logInFromHeader(page: Page, person: Person) {
  await page.getByRole('banner').getByRole('link', { name: 'Log in', exact: true }).click()
  await logIn(page, person)
}

/** Clicks a menu link of a session that has ended: the app shows the login page instead. */
async function expectSessionEnded(page: Page, link: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click()
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
  return page.getByRole('status').innerText()
}

t.test('sessions, log out everywhere, and the users page, in two browsers', async (t) => {
  // Logins here outnumber the default 10 a minute from one address; rate limits have their own tests.
  const server = await startServer(t, { AUTH_RATE_LIMIT: '0' })
  const first = await openBrowser(t, server.url)
  const second = await openBrowser(t, server.url)
  if (!first || !second) return
  const a = first.page
  const b = second.page
  const rows = (page: Page) => page.getByRole('main').getByRole('row').filter({ has: page.getByRole('cell') })

  await register(a, server.url, dana)
  await logIn(a, dana)
  await b.goto(`${server.url}/app/login`)
  await logIn(b, dana)

  t.test('one row per session; End session on each but the current one', async (t) => {
    await openFromMenu(a, 'Sessions')
    await rows(a).nth(1).waitFor()
    t.equal(await rows(a).count(), 2, 'two sessions')
    const current = rows(a).filter({ hasText: 'This session' })
    t.equal(await current.getByRole('button', { name: 'End session' }).count(), 0, 'not on the current one')
    const other = rows(a).filter({ hasNotText: 'This session' })
    t.match(await other.innerText(), /Chrome/, 'the device is named')
    await a.screenshot({ path: artifact('web-sessions.png') })
    await other.getByRole('button', { name: 'End session' }).click()
    await other.waitFor({ state: 'detached' })
    t.equal(await rows(a).count(), 1, 'one session left')
    t.match(await expectSessionEnded(b, 'Items'), /session has ended/, 'the other browser is logged out')
  })

  t.test('Log out everywhere ends every session, this one too', async (t) => {
    await logIn(b, dana)
    await openFromMenu(a, 'Sessions')
    await a.getByRole('button', { name: 'Log out everywhere' }).click()
    await a.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    t.match(await a.getByRole('status').innerText(), /every session/, 'this browser: logged out')
    await b.reload()
    await b.getByRole('banner').getByRole('link', { name: 'Log in', exact: true }).waitFor()
    t.equal(await b.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions', exact: true }).count(), 0, 'the other: no longer logged in after a reload')
  })

  t.test('Users is for admins: a second account sees neither the link nor the page', async (t) => {
    await register(b, server.url, erin)
    await logIn(b, erin)
    t.equal(await b.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).count(), 0, 'no Users link')
    await b.goto(`${server.url}/app/users`)
    await b.getByText('This page is for administrators.').waitFor()
    t.pass('the page says it is for administrators')
  })

  t.test('the admin deactivates erin: her session ends and she cannot log in', async (t) => {
    await logIn(a, dana)
    await openFromMenu(a, 'Users')
    const row = a.getByRole('row', { name: /^erin / })
    const status = row.getByRole('cell').nth(2)
    t.equal(await status.innerText(), 'active', 'erin is active')
    await row.getByRole('button', { name: 'Deactivate', exact: true }).click()
    await row.getByRole('button', { name: 'Activate', exact: true }).waitFor()
    t.equal(await status.innerText(), 'deactivated', 'erin is deactivated')
    t.match(await expectSessionEnded(b, 'Sessions'), /session has ended/, 'erin’s browser is logged out')
    await b.getByLabel('Username', { exact: true }).fill(erin.username)
    await b.getByLabel('Password', { exact: true }).fill(erin.password)
    await b.getByRole('button', { name: 'Log in', exact: true }).click()
    t.equal(await b.getByRole('alert').innerText(), 'This account is deactivated.', 'the API’s message')
  })

  t.test('activated again and made an admin, erin sees Users', async (t) => {
    const row = a.getByRole('row', { name: /^erin / })
    await row.getByRole('button', { name: 'Activate', exact: true }).click()
    await row.getByRole('button', { name: 'Deactivate', exact: true }).waitFor()
    await row.getByRole('button', { name: 'Make admin', exact: true }).click()
    await row.getByRole('button', { name: 'Remove admin', exact: true }).waitFor()
    t.match(await row.getByRole('cell').nth(1).innerText(), /admin/, 'erin’s roles include admin')
    await a.screenshot({ path: artifact('web-users.png') })
    await logIn(b, erin)
    await b.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).waitFor()
    t.pass('the Users link for erin')
    await b.getByRole('banner').getByRole('button', { name: 'Log out', exact: true }).click()
    await b.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
  })

  t.test('nothing else went wrong in either browser', async (t) => {
    checkWalk(t, first.watch, [])
    // The first request of each ended session (revoked, revoked everywhere, deactivated), and
    // the deactivated account's login.
    checkWalk(t, second.watch, ['GET /item 401', 'GET /me 401', 'GET /me/sessions 401', 'POST /login 403'])
  })
})
