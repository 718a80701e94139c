// /app through app.inject: the built web app (test/processes.ts builds it as npm start does)
// served by @fastify/static with the page's CSP and caching, client-side routes answered with
// index.html, a missing asset a 404 in the Error shape, and none of it in the OpenAPI document.
import t from 'tap'
import { build, expectError } from './helper.js'
import { WEB_ROOT } from './processes.js'
import { ASSET_CACHE, PAGE_CACHE, PAGE_CSP } from '../src/plugins/external/web-app.js'
import { API_HEADERS } from '../src/plugins/app/response-headers.js'

const CLIENT_ROUTES = ['/app', '/app/', '/app/login', '/app/stores/3', '/app/reset-password?token=abc', '/app/no/such/page']

t.test('index.html for every client-side route, revalidated on each load', async (t) => {
  const app = await build(t, {}, { webRoot: WEB_ROOT })
  const first = await app.inject({ method: 'GET', url: '/app' })
  t.equal(first.statusCode, 200)
  t.match(first.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(first.headers['cache-control'], PAGE_CACHE, 'no-cache')
  t.equal(first.headers['content-security-policy'], PAGE_CSP, 'the page CSP')
  t.match(first.headers['content-security-policy'], /script-src 'self';/, 'scripts from this origin only')
  t.notMatch(first.headers['content-security-policy'], /unsafe-(eval|inline)/, 'no unsafe-eval, no unsafe-inline')
  for (const name of ['x-content-type-options', 'x-frame-options', 'strict-transport-security', 'referrer-policy'] as const) {
    t.equal(first.headers[name], API_HEADERS[name], `${name}: as on every response`)
  }
  t.notMatch(first.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|style=/i, 'no inline script, handler or style')

  for (const url of CLIENT_ROUTES) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, `${url}: 200`)
    t.equal(res.body, first.body, `${url}: the app`)
  }

  const etag = first.headers.etag
  t.ok(etag, 'an ETag')
  const again = await app.inject({ method: 'GET', url: '/app/stores', headers: { 'if-none-match': String(etag) } })
  t.equal(again.statusCode, 304, 'unchanged: 304')
  t.equal(again.headers['cache-control'], PAGE_CACHE)
  t.equal(again.headers['content-security-policy'], PAGE_CSP, 'the page CSP on the 304 too: the browser keeps its headers')

  const withCookie = await app.inject({ method: 'GET', url: '/app/me', cookies: { access_token_cookie: 'x' } })
  t.equal(withCookie.headers['cache-control'], PAGE_CACHE, 'the same public file, with credentials too')
})

t.test('hashed assets: cached for a year; a missing one is a 404 in the Error shape', async (t) => {
  const app = await build(t, {}, { webRoot: WEB_ROOT })
  const html = (await app.inject({ method: 'GET', url: '/app' })).body
  const assets = [...html.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '')
  t.same(assets.map((a) => a.replace(/-[A-Z0-9]{8}\./, '-HASH.')), ['/app/assets/main-HASH.css', '/app/assets/main-HASH.js'], 'index.html names a stylesheet and a script by hash')
  for (const url of assets) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, `${url}: 200`)
    t.match(res.headers['content-type'], url.endsWith('.js') ? /javascript/ : /^text\/css/)
    t.equal(res.headers['cache-control'], ASSET_CACHE, 'public, max-age=31536000, immutable')
    t.equal(res.headers['content-security-policy'], API_HEADERS['content-security-policy'], 'not a page: the API’s CSP')
  }
  const withCookie = await app.inject({ method: 'GET', url: assets[1] ?? '', cookies: { access_token_cookie: 'x' } })
  t.equal(withCookie.headers['cache-control'], ASSET_CACHE, 'the same public file, with credentials too')
  const missing = await app.inject({ method: 'GET', url: '/app/assets/main-NOSUCHHASH.js' })
  expectError(t, missing, 404, 'not_found')
  t.not(missing.headers['cache-control'], ASSET_CACHE, 'a 404 is not cached for a year')
  t.equal(missing.headers['content-security-policy'], API_HEADERS['content-security-policy'], 'an error keeps the API’s headers')
  const escape = await app.inject({ method: 'GET', url: '/app/assets/..%2f..%2fserver.js' })
  t.match({ status: escape.statusCode, body: escape.json() }, { status: /^40[34]$/, body: { code: String, message: String } }, 'no way out of assets/')
  expectError(t, await app.inject({ method: 'POST', url: '/app/login' }), 404, 'not_found')
})

t.test('the API keeps its own headers; /app is not in the OpenAPI document', async (t) => {
  const app = await build(t, {}, { webRoot: WEB_ROOT })
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.headers['content-security-policy'], API_HEADERS['content-security-policy'], 'JSON responses do not get the page CSP')
  const paths = Object.keys(((await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: object }).paths)
  t.same(paths.filter((p) => p.startsWith('/app')), [], 'no /app path in the spec')
})

t.test('without a web build, /app is not served', async (t) => {
  const app = await build(t)
  expectError(t, await app.inject({ method: 'GET', url: '/app' }), 404, 'not_found')
})
