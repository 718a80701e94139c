// The web app with a 3-second access token, in Chromium: the access cookie expires with its
// token, and the app refreshes it silently (POST /refresh with csrf_refresh_token) on a reload
// and while it is used; a change that needs a fresh token opens the password dialog, then goes
// through; a refresh that fails (the session was revoked elsewhere) shows the login page.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from './live-server.js'
import { artifact } from './chromium.js'
import { checkWalk, logIn, openBrowser, openFromMenu, register } from './web-app.js'

const ACCESS_SECONDS = 3
const carol = { username: 'carol', password: 'correct horse battery' }
/** Long enough for the access token, and the cookie that carries it, to have expired. */
const expire = () => sleep((ACCESS_SECONDS + 1) * 1000)

t.test('silent refresh, the fresh-token step, and a failed refresh', async (t) => {
  const server = await startServer(t, { JWT_ACCESS_TOKEN_EXPIRES: `${ACCESS_SECONDS}s` })
  const browser = await openBrowser(t, server.url)
  if (!browser) return
  const { page, context, watch } = browser
  const main = page.getByRole('main')
  const banner = page.getByRole('banner')
  const refreshes = () => watch.requests.filter((r) => r.method === 'POST' && r.path === '/refresh')
  const csrfRefresh = async () => (await context.cookies()).find((c) => c.name === 'csrf_refresh_token')?.value

  await register(page, server.url, carol)
  await logIn(page, carol)

  t.test('a reload after the access token expired keeps the session', async (t) => {
    await expire()
    const expected = await csrfRefresh()
    t.notOk((await context.cookies()).some((c) => c.name === 'access_token_cookie'), 'the access cookie is gone with its token')
    await page.reload()
    await banner.getByRole('link', { name: carol.username, exact: true }).waitFor()
    t.equal(refreshes().length, 1, 'one POST /refresh')
    t.equal(refreshes()[0]?.csrf, expected, 'carrying csrf_refresh_token as X-CSRF-Token')
  })

  t.test('using the app after it expired again: refreshed without a word', async (t) => {
    await expire()
    await openFromMenu(page, 'Sessions')
    await main.getByRole('row').filter({ hasText: 'This session' }).waitFor()
    t.pass('the sessions list')
    t.equal(refreshes().length, 2, 'another POST /refresh')
  })

  t.test('a change needing a fresh token: the password dialog, then the change', async (t) => {
    await openFromMenu(page, 'Stores')
    await main.getByLabel('Store name').fill('Night Market')
    await main.getByRole('button', { name: 'Create store' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    t.match(await dialog.innerText(), /needs your password again/, 'the dialog says why')
    await dialog.getByLabel('Password').fill('not my password')
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    t.equal(await dialog.getByRole('alert').innerText(), 'Wrong username, email or password.', 'a wrong password: the API’s message')
    await page.screenshot({ path: artifact('web-fresh-dialog.png') })
    await dialog.getByLabel('Password').fill(carol.password)
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    await page.getByRole('heading', { level: 1, name: 'Night Market' }).waitFor()
    t.notOk(await dialog.isVisible(), 'the dialog is closed')
    t.pass('the store was created after the password was confirmed')
  })

  t.test('the login that confirmed the password replaced the session', async (t) => {
    await openFromMenu(page, 'Sessions')
    await main.getByRole('row').filter({ hasText: 'This session' }).waitFor()
    t.equal(await main.getByRole('row').filter({ has: page.getByRole('cell') }).count(), 1, 'one session, not two')
  })

  t.test('Cancel in the dialog gives the change up', async (t) => {
    await expire()
    await openFromMenu(page, 'Stores')
    await main.getByLabel('Store name').fill('Never Opened')
    await main.getByRole('button', { name: 'Create store' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
    t.match(await main.getByRole('alert').innerText(), /fresh token/, 'the API’s message stays on the form')
    const stores = (await (await fetch(`${server.url}/store?name=Never`)).json()) as { total: number }
    t.equal(stores.total, 0, 'no store created')
  })

  t.test('a refresh that fails (the session ended elsewhere) shows the login page', async (t) => {
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(carol),
    })
    const { access_token } = (await login.json()) as { access_token: string }
    const all = await fetch(`${server.url}/logout/all`, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } })
    t.equal(all.status, 200, 'every session of carol revoked, through the API')
    await expire()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    t.match(await page.getByRole('status').innerText(), /session has ended/, 'the login page says why')
    t.match(page.url(), /\/app\/login\?next=%2Fsessions$/, 'and comes back to the page after logging in')
    t.same(await page.evaluate(() => document.cookie), '', 'the app no longer acts as logged in')
    await logIn(page, carol)
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor()
    t.pass('logged in again, back on Sessions')
  })

  t.test('nothing else went wrong on the way', async (t) => {
    checkWalk(t, watch, ['POST /store 401', 'POST /login 401', 'POST /store 401', 'POST /refresh 401'])
  })
})
