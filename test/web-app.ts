// What the web app's browser tests share: a browser on the real server's /app with a record of
// everything the page does, the checks every walk ends with, and the steps a person takes
// (register, log in) by role and label only.
import type { Page } from 'playwright-core'
import type { Test } from 'tap'
import { launchChromium, recordProblems } from './chromium.js'

export interface Person {
  username: string
  password: string
  email?: string
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const TOKEN_COOKIE = /(^|; )(access|refresh)_token_cookie=/
/** Public, and its answer sets the cookies: a leftover cookie it carries authenticates nothing. */
const LOGIN = '/login'

/** What `page` requested, what failed, and what it logged. */
export function watch(page: Page, origin: string) {
  const requests: Array<{ method: string; path: string; csrf: string | undefined; tokenCookie: boolean }> = []
  const foreign: string[] = []
  const apiErrors: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (!url.protocol.startsWith('http')) return
    if (url.origin !== origin) foreign.push(request.url())
    const entry = { method: request.method(), path: url.pathname, csrf: request.headers()['x-csrf-token'], tokenCookie: false }
    requests.push(entry)
    // Cookies are among the headers the network stack adds: only allHeaders() has them.
    void request.allHeaders().then((headers) => (entry.tokenCookie = TOKEN_COOKIE.test(headers.cookie ?? '')), () => {})
  })
  page.on('response', (response) => {
    if (response.status() >= 400) apiErrors.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`)
  })
  return { requests, foreign, apiErrors, ...recordProblems(page) }
}
export type Watch = ReturnType<typeof watch>

/** A browser on `origin`, watched. Undefined (a failure already reported) without Chromium. */
export async function openBrowser(t: Test, origin: string) {
  const browser = await launchChromium(t)
  if (!browser) return undefined
  return { ...browser, watch: watch(browser.page, origin) }
}

/**
 * What holds for a whole walk: nothing fetched from elsewhere, nothing logged, an API error
 * only where the walk caused one on purpose (`expected`, as "POST /login 401"), and every
 * change sent with a token cookie carrying X-CSRF-Token (a wrong one would be a 401 in
 * `apiErrors`).
 */
export function checkWalk(t: Test, w: Watch, expected: string[]) {
  t.same(w.foreign, [], 'no request to another origin')
  t.same(w.problems, [], 'no console errors, uncaught exceptions or CSP violations')
  t.same(w.apiErrors, expected, 'API errors only where the walk expected them')
  t.equal(w.failedLoads.length, expected.length, 'the console reports only those, as the browser does for any HTTP error')
  const changes = w.requests.filter((r) => STATE_CHANGING.has(r.method) && r.tokenCookie && r.path !== LOGIN)
  t.ok(changes.length > 0, `${changes.length} state-changing requests sent with a token cookie`)
  t.same(
    changes.filter((r) => !r.csrf).map((r) => `${r.method} ${r.path}`),
    [],
    'every one carries X-CSRF-Token',
  )
}

/** The names of the cookies the page's scripts can read, and whether any value is a JWT. */
export async function readableCookies(page: Page) {
  const text = await page.evaluate(() => document.cookie)
  const pairs = text ? text.split('; ').map((pair) => pair.split('=')) : []
  return { names: pairs.map(([name]) => name).sort(), jwt: pairs.some(([, value]) => /^eyJ[\w-]*\.[\w-]+\./.test(value ?? '')) }
}

/** Registers through the form, from the header's link; ends on the login page it leads to. */
export async function register(page: Page, origin: string, person: Person) {
  await page.goto(`${origin}/app`)
  await page.getByRole('banner').getByRole('link', { name: 'Register', exact: true }).click()
  await page.getByLabel('Username', { exact: true }).fill(person.username)
  if (person.email) await page.getByLabel('Email', { exact: true }).fill(person.email)
  await page.getByLabel('Password', { exact: true }).fill(person.password)
  await page.getByRole('button', { name: 'Register', exact: true }).click()
  await page.getByRole('heading', { name: 'Log in', exact: true }).waitFor()
}

/** Fills the login page's form (wherever it was reached from) and waits for the header to name the user. */
export async function logIn(page: Page, person: Person) {
  await page.getByLabel('Username', { exact: true }).fill(person.username)
  await page.getByLabel('Password', { exact: true }).fill(person.password)
  await page.getByRole('button', { name: 'Log in', exact: true }).click()
  await page.getByRole('banner').getByRole('link', { name: person.username, exact: true }).waitFor()
}

/** Opens a page from the header's menu and waits for its heading. */
export async function openFromMenu(page: Page, link: string, heading = link) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click()
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
}
