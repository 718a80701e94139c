// A client program written the way an API user writes one: openapi-fetch typed by the
// openapi-typescript output of the committed openapi.yaml (generated into test/artifacts/client/
// by test/client.test.ts, which also type-checks this file, then runs it against the real server).
// It must compile without casts or non-null assertions: if it needs one, the spec is wrong.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from '../artifacts/client/api.js'

type ErrorBody = components['schemas']['Error']

/** What the flow reports its observations to; tap's `t` is one. */
export interface Check {
  equal(found: unknown, wanted: unknown, message: string): void
  same(found: unknown, wanted: unknown, message: string): void
  ok(value: unknown, message: string): void
}

/** openapi-fetch's two outcomes: the documented success body, or the documented Error. */
type Result<T> = { data: T; error?: never; response: Response } | { data?: never; error: ErrorBody; response: Response }

/** The success body, or a thrown error naming the API's error code. */
function body<T>(result: Result<T>, step: string): T {
  if (result.error) throw new Error(`${step}: ${result.response.status} ${result.error.code}: ${result.error.message}`)
  return result.data
}

/** The API error of a call that was expected to fail. */
function failure<T>(result: Result<T>, step: string): ErrorBody {
  if (!result.error) throw new Error(`${step}: expected an error, got ${result.response.status}`)
  return result.error
}

export async function clientFlow(baseUrl: string, check: Check) {
  // One client; a middleware adds the current access token unless a call sets its own header.
  let accessToken: string | undefined
  const bearer: Middleware = {
    onRequest({ request }) {
      if (accessToken && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${accessToken}`)
      return request
    },
  }
  const api = createClient<paths>({ baseUrl })
  api.use(bearer)
  const anonymous = createClient<paths>({ baseUrl })

  const username = 'client-alice'
  const password = 'correct horse battery'

  // Register: 201 with Location naming the new user.
  const registered = await api.POST('/register', { body: { username, password, email: 'alice@example.com' } })
  const user = body(registered, 'register')
  check.equal(registered.response.status, 201, 'register: 201')
  check.equal(registered.response.headers.get('location'), `/user/${user.id}`, 'register: Location')
  check.same(user.roles, ['admin', 'user'], 'the first account is an admin')

  // Log in: a fresh token pair.
  const login = body(await api.POST('/login', { body: { username, password } }), 'login')
  check.equal(login.token_type, 'Bearer', 'login: token_type')
  check.ok(login.expires_in > 0 && login.refresh_expires_in > login.expires_in, 'login: lifetimes')
  accessToken = login.access_token

  const me = body(await api.GET('/me'), 'me')
  check.equal(me.username, username, 'GET /me with the access token')

  // A store and three items in it.
  const storeCreated = await api.POST('/store', { body: { name: 'Corner Shop' } })
  const store = body(storeCreated, 'create store')
  check.equal(storeCreated.response.status, 201, 'create store: 201')
  check.equal(storeCreated.response.headers.get('location'), `/store/${store.id}`, 'create store: Location')
  const prices = [19.99, 0.07, 999999999.99]
  for (const [i, price] of prices.entries()) {
    const created = await api.POST('/item', { body: { name: `Item ${i + 1}`, price, store_id: store.id } })
    const item = body(created, `create item ${i + 1}`)
    check.equal(created.response.status, 201, `create item ${i + 1}: 201`)
    check.equal(item.price, price, `item ${i + 1}: price kept exactly`)
  }

  // Pagination: two pages of items in this store.
  const pageOf = async (offset: number) => {
    const page = body(await api.GET('/item', { params: { query: { store_id: store.id, limit: 2, offset } } }), 'list items')
    if ('message' in page) throw new Error('with a token, /item lists full items')
    return page
  }
  const first = await pageOf(0)
  const second = await pageOf(2)
  check.same([first.total, first.limit, first.offset, first.data.length], [3, 2, 0, 2], 'items page 1')
  check.same([second.total, second.offset, second.data.length], [3, 2, 1], 'items page 2')
  check.same([...first.data, ...second.data].map((i) => i.price), prices, 'the pages hold every item, in order')
  const anonymousPage = body(await anonymous.GET('/item', { params: { query: { limit: 1 } } }), 'anonymous items')
  check.ok('message' in anonymousPage && anonymousPage.data.every((i) => !('price' in i)), 'without a token: names only, and a message')

  const stores = body(await api.GET('/store', { params: { query: { name: 'corner', limit: 1 } } }), 'list stores')
  check.same(stores.data.map((s) => s.name), ['Corner Shop'], 'store list filtered by name')
  const withItems = body(await api.GET('/store/{id}', { params: { path: { id: store.id } } }), 'get store')
  check.equal(withItems.items.length, 3, 'GET /store/{id} has its items')

  // Refresh: the refresh token goes in this call's own Authorization header.
  const refreshed = body(
    await api.POST('/refresh', { headers: { Authorization: `Bearer ${login.refresh_token}` } }),
    'refresh',
  )
  check.ok(refreshed.refresh_token !== login.refresh_token, 'refresh: the refresh token is rotated')
  accessToken = refreshed.access_token

  // The non-fresh token reads, but may not create.
  const sessions = body(await api.GET('/me/sessions'), 'sessions')
  check.same(sessions.data.map((s) => s.current), [true], 'one session, the current one')
  const notFresh = failure(await api.POST('/store', { body: { name: 'Second Shop' } }), 'create store, not fresh')
  check.equal(notFresh.code, 'fresh_token_required', 'a fresh-only route refuses the refreshed token')
  check.equal(notFresh.statusCode, 401, 'fresh_token_required is a 401')

  // Logout ends the session: its tokens stop working.
  const loggedOut = body(await api.POST('/logout'), 'logout')
  check.ok(loggedOut.message.length > 0, 'logout: a message')
  const after = failure(await api.GET('/me'), 'me after logout')
  check.equal(after.code, 'token_revoked', 'the access token is revoked after logout')
  const refreshAfter = failure(
    await api.POST('/refresh', { headers: { Authorization: `Bearer ${refreshed.refresh_token}` } }),
    'refresh after logout',
  )
  check.equal(refreshAfter.code, 'token_revoked', 'so is the refresh token')
}
