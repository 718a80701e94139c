// Swagger UI at /docs in a real browser (Debian's Chromium through playwright-core), used the
// way a person uses it: read the operations, log in with "Try it out", paste the token into
// "Authorize", call GET /me. CI installs chromium (.ci/run), so this never skips there.
import t from 'tap'
import { readFileSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { parse } from 'yaml'
import { startServer } from './live-server.js'
import { artifact, launchChromium, recordProblems } from './chromium.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; description: string }
const spec = parse(readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8')) as {
  tags: { name: string }[]
  paths: Record<string, Record<string, { tags: string[]; operationId: string }>>
}
const USER = { username: 'docs-alice', password: 'correct horse battery' }

/** Opens an operation, presses "Try it out" (and fills the body), "Execute", and returns its live response. */
async function tryOut(page: Page, tag: string, operationId: string, body?: object) {
  const op = page.locator(`#operations-${tag}-${operationId}`)
  // Deep links reopen the last operation after a reload: only expand a closed one.
  if (!(await op.getAttribute('class'))?.includes('is-open')) await op.locator('.opblock-summary').first().click()
  await op.getByRole('button', { name: 'Try it out' }).click()
  const textarea = op.locator('textarea.body-param__text')
  const example = body ? await textarea.inputValue() : undefined
  if (body) await textarea.fill(JSON.stringify(body))
  await op.getByRole('button', { name: 'Execute' }).click()
  const live = op.locator('.live-responses-table .response')
  await live.first().waitFor()
  return {
    status: Number(await live.locator('.response-col_status').first().innerText()),
    json: async () => JSON.parse(await live.locator('.response-col_description pre.microlight').first().innerText()) as Record<string, unknown>,
    /** The request body Swagger UI prefilled from the spec's example. */
    example,
    op,
  }
}

/** The "METHOD /path" of every operation shown, per tag, in page order. */
async function shownOperations(sections: Locator) {
  const shown: Record<string, string[]> = {}
  for (const section of await sections.all()) {
    const tag = (await section.locator('h3.opblock-tag').getAttribute('data-tag')) ?? ''
    const ops = section.locator('.opblock .opblock-summary')
    shown[tag] = []
    for (const op of await ops.all()) {
      const method = (await op.locator('.opblock-summary-method').innerText()).trim()
      const path = (await op.locator('.opblock-summary-path').getAttribute('data-path')) ?? ''
      shown[tag].push(`${method} ${path}`)
    }
  }
  return shown
}

t.test('Swagger UI at /docs: browse, log in with Try it out, Authorize, GET /me', async (t) => {
  const browser = await launchChromium(t)
  if (!browser) return
  const server = await startServer(t)
  const reg = await fetch(`${server.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  })
  t.equal(reg.status, 201, 'a user to log in as')
  const { page } = browser
  const { problems, failedLoads } = recordProblems(page)

  await page.goto(`${server.url}/docs`)
  const info = page.locator('.swagger-ui .info')
  await info.locator('.title').waitFor()

  t.test('title, version and description from package.json', async (t) => {
    t.match(await info.locator('.title').innerText(), /Stores API/, 'title')
    t.match(await info.locator('.title .version').first().innerText(), pkg.version, 'version')
    t.match(await info.locator('.description').innerText(), pkg.description, 'description')
  })

  t.test('every tag, in the spec order, with every operation under it', async (t) => {
    const sections = page.locator('.opblock-tag-section')
    const shown = await shownOperations(sections)
    t.same(Object.keys(shown), spec.tags.map((tag) => tag.name), 'tags in order')
    const expected: Record<string, string[]> = {}
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const tag of op.tags) (expected[tag] ??= []).push(`${method.toUpperCase()} ${path}`)
      }
    }
    for (const tag of Object.keys(expected)) t.same(shown[tag]?.slice().sort(), expected[tag]?.sort(), `operations of ${tag}`)
  })

  let accessToken = ''
  t.test('POST /login through Try it out', async (t) => {
    const login = await tryOut(page, 'auth', 'login', USER)
    t.same(JSON.parse(login.example ?? ''), { username: 'alice', password: 'correct horse battery' }, 'the body example is prefilled')
    t.equal(login.status, 200, 'POST /login: 200')
    const body = await login.json()
    t.equal(body.token_type, 'Bearer', 'a token pair')
    accessToken = String(body.access_token)
    t.match(accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'an access token to copy')
  })

  t.test('Authorize with the token, then GET /me', async (t) => {
    await page.locator('.scheme-container button.authorize').click()
    const modal = page.locator('.modal-ux')
    const bearer = modal.locator('.auth-container').filter({ hasText: 'bearerAuth' })
    await bearer.locator('input').fill(accessToken)
    await bearer.locator('button.authorize').click()
    await bearer.locator('button', { hasText: 'Logout' }).waitFor()
    t.pass('bearerAuth is authorized')
    await bearer.locator('button.btn-done').click()

    const me = await tryOut(page, 'me', 'getMe')
    t.equal(me.status, 200, 'GET /me: 200')
    t.match(await me.json(), { username: USER.username, roles: ['admin', 'user'] }, 'the logged-in user')
    t.match(await me.op.locator('.curl-command').innerText(), `Authorization: Bearer ${accessToken}`, 'the token was sent')

    await page.screenshot({ path: artifact('swagger-ui.png'), fullPage: true })
    await me.op.screenshot({ path: artifact('swagger-ui-get-me.png') })
  })

  t.test('the authorization survives a reload (persistAuthorization)', async (t) => {
    await page.reload()
    await info.locator('.title').waitFor()
    const me = await tryOut(page, 'me', 'getMe')
    t.equal(me.status, 200, 'GET /me without authorizing again')
  })

  t.test('no console errors: the CSP lets Swagger UI run', async (t) => {
    t.same([...problems, ...failedLoads], [], 'no console errors or CSP violations')
    const res = await fetch(`${server.url}/docs/static/index.html`)
    t.match(res.headers.get('content-security-policy'), /script-src 'self'/, '/docs still has a CSP')
  })
})
