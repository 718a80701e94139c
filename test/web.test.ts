// The web app at /app in Chromium, walked as a person would, by roles and labels only: a first
// visit, register, a wrong password, log in, a store and an item with its price, a reload,
// the profile, a password change, log out and the names-only item list, log in again. Served
// as `npm start` serves it: plain http://127.0.0.1 with the default JWT_COOKIE_SECURE=true.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { startServer } from './live-server.js'
import { artifact } from './chromium.js'
import { checkWalk, logIn, openBrowser, openFromMenu, readableCookies, register } from './web-app.js'

// The README's screenshot is rewritten on request only, so that a test run leaves the tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT ? fileURLToPath(new URL('../docs/web-app.png', import.meta.url)) : artifact('web-app.png')
const alice = { username: 'alice', password: 'correct horse battery', email: 'alice@example.com' }

t.test('the web app, walked through as a person would', async (t) => {
  const server = await startServer(t)
  const browser = await openBrowser(t, server.url)
  if (!browser) return
  const { page, context, watch } = browser
  const main = page.getByRole('main')
  const banner = page.getByRole('banner')
  const menu = page.getByRole('navigation', { name: 'Main' })

  t.test('a first visit: what the app is, and the way in', async (t) => {
    await page.goto(`${server.url}/app`)
    await page.getByRole('heading', { level: 1, name: 'Every store, every shelf' }).waitFor()
    t.ok(await banner.getByRole('link', { name: 'Log in', exact: true }).isVisible(), 'a Log in link in the header')
    t.ok(await banner.getByRole('link', { name: 'Register', exact: true }).isVisible(), 'a Register link in the header')
    for (const link of ['Stores', 'Items']) t.ok(await menu.getByRole('link', { name: link, exact: true }).isVisible(), `${link} in the menu`)
    for (const link of ['Sessions', 'Account', 'Users']) t.equal(await menu.getByRole('link', { name: link, exact: true }).count(), 0, `no ${link} before logging in`)
    await main.getByRole('list', { name: 'At a glance' }).waitFor()
    await page.screenshot({ path: artifact('web-first-visit.png') })
  })

  t.test('register: then the login page', async (t) => {
    await register(page, server.url, alice)
    t.match(await page.getByRole('status').innerText(), /alice is ready/, 'the login page says the account is ready')
  })

  t.test('a wrong password: the API’s message in role=alert', async (t) => {
    await page.getByLabel('Username', { exact: true }).fill(alice.username)
    await page.getByLabel('Password', { exact: true }).fill('not the password')
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    t.equal(await page.getByRole('alert').innerText(), 'Wrong username, email or password.', 'the Error body’s message')
    t.ok(await page.getByRole('link', { name: 'Forgot password?' }).isVisible(), 'a Forgot password? link on the login page')
  })

  t.test('log in: the username in the header; Users for the first account, an admin', async (t) => {
    await logIn(page, alice)
    t.ok(await banner.getByText(alice.username, { exact: true }).isVisible(), 'alice in the header')
    for (const link of ['Sessions', 'Account', 'Users']) t.ok(await menu.getByRole('link', { name: link, exact: true }).isVisible(), `${link} in the menu`)
    t.ok(await banner.getByRole('button', { name: 'Log out', exact: true }).isVisible(), 'a Log out button')
  })

  t.test('the tokens are HttpOnly cookies: the page reads only the CSRF values', async (t) => {
    t.same(await readableCookies(page), { names: ['csrf_access_token', 'csrf_refresh_token'], jwt: false }, 'document.cookie')
    const jar = Object.fromEntries((await context.cookies()).map((c) => [c.name, c]))
    t.match(jar.access_token_cookie, { httpOnly: true, secure: true, path: '/', sameSite: 'Lax' }, 'the access token: HttpOnly, Secure, kept on http://127.0.0.1')
    t.match(jar.refresh_token_cookie, { httpOnly: true, secure: true, path: '/refresh' }, 'the refresh token: HttpOnly, on /refresh only')
    t.match(jar.csrf_refresh_token, { httpOnly: false, path: '/' }, 'csrf_refresh_token readable from /app')
  })

  t.test('create a store and an item in it; prices with two decimals', async (t) => {
    await openFromMenu(page, 'Stores')
    await main.getByLabel('Store name').fill('Corner Shop')
    await main.getByRole('button', { name: 'Create store' }).click()
    await page.getByRole('heading', { level: 1, name: 'Corner Shop' }).waitFor()
    const form = main.getByRole('form', { name: 'Add an item' })
    for (const [name, price] of [['Chair', '42.17'], ['Lamp', '19']] as const) {
      await form.getByLabel('Item name').fill(name)
      await form.getByLabel('Price').fill(price)
      await form.getByRole('button', { name: 'Create item' }).click()
      await main.getByRole('row', { name: new RegExp(`^${name} `) }).waitFor()
    }
    t.equal(await main.getByRole('row', { name: /^Chair / }).getByRole('cell').nth(1).innerText(), '42.17', 'Chair at 42.17')
    t.equal(await main.getByRole('row', { name: /^Lamp / }).getByRole('cell').nth(1).innerText(), '19.00', 'Lamp at 19.00')
    await page.screenshot({ path: SCREENSHOT })

    await openFromMenu(page, 'Items')
    const chair = main.getByRole('row', { name: /^Chair / })
    await chair.waitFor()
    t.same(await chair.getByRole('cell').allInnerTexts(), ['Chair', 'Corner Shop', '42.17'], 'the item list: name, store, price')
  })

  t.test('a reload keeps the session and the page', async (t) => {
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Items' }).waitFor()
    await banner.getByRole('link', { name: alice.username, exact: true }).waitFor()
    // The page's items arrive after its heading: wait for the row, then look at it.
    const chair = main.getByRole('row', { name: /^Chair / })
    await chair.waitFor({ timeout: 10_000 }).catch(() => {})
    t.ok(await chair.isVisible(), 'still logged in: prices shown')
  })

  t.test('the profile: username, roles, email', async (t) => {
    await banner.getByRole('link', { name: alice.username, exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor()
    const facts = await main.locator('dl').innerText()
    for (const fact of [alice.username, alice.email, 'admin', 'user', 'active']) t.match(facts, fact)
  })

  t.test('change password: a wrong current one is refused, then it changes', async (t) => {
    await openFromMenu(page, 'Account')
    t.ok(await main.getByRole('form', { name: 'Change email' }).isVisible(), 'a Change email form')
    const form = main.getByRole('form', { name: 'Change password' })
    await form.getByLabel('Current password').fill('wrong password')
    await form.getByLabel('New password').fill('a brand new passphrase')
    await form.getByRole('button', { name: 'Change password' }).click()
    t.equal(await form.getByRole('alert').innerText(), 'The current password is wrong.')
    await form.getByLabel('Current password').fill(alice.password)
    await form.getByLabel('New password').fill('a brand new passphrase')
    await form.getByRole('button', { name: 'Change password' }).click()
    t.match(await form.getByRole('status').innerText(), /Password changed/)
    alice.password = 'a brand new passphrase'
  })

  t.test('log out: the items without prices, and the API’s message to log in', async (t) => {
    await banner.getByRole('button', { name: 'Log out', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    t.match(await page.getByRole('status').innerText(), /logged out/)
    t.same(await readableCookies(page), { names: [], jwt: false }, 'the cookies are gone')
    await openFromMenu(page, 'Items')
    const names = main.getByRole('list', { name: 'Items' })
    await names.waitFor()
    t.match(await main.innerText(), /Log in to see prices and stores\./, 'the API’s message')
    t.same(await names.getByRole('listitem').allInnerTexts(), ['Chair', 'Lamp'], 'names only')
    t.notMatch(await main.innerText(), /42\.17/, 'no price')
  })

  t.test('log in again with the new password, from the header', async (t) => {
    await banner.getByRole('link', { name: 'Log in', exact: true }).click()
    await logIn(page, alice)
    t.pass('logged in with the new password')
  })

  t.test('nothing else went wrong on the way', async (t) => {
    checkWalk(t, watch, ['POST /login 401', 'PUT /me/password 403'])
  })
})
