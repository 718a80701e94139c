// The only way to the API, and the only place that calls fetch: openapi-fetch typed by the
// types generated from openapi.yaml (api-types.ts), in cookie mode. The browser keeps the tokens
// in HttpOnly cookies the app cannot read; the app reads only the CSRF values beside them.
import createClient from 'openapi-fetch'
import type { components, paths } from './api-types'

export type ApiError = components['schemas']['Error']
export type User = components['schemas']['User']
export type Store = components['schemas']['Store']
export type Item = components['schemas']['Item']
export type Session = components['schemas']['Session']

const client = createClient<paths>({ baseUrl: window.location.origin })
export type Client = typeof client

/** What a page shows when the service cannot be reached at all (fetch itself failed). */
export const UNREACHABLE: ApiError = {
  statusCode: 503,
  code: 'service_unavailable',
  error: 'Service Unavailable',
  message: 'The service cannot be reached. Check your connection and try again.',
}

const COOKIES_REFUSED: ApiError = {
  statusCode: 400,
  code: 'bad_request',
  error: 'Bad Request',
  message:
    'Logged in, but this browser refused the session cookies: open the app over HTTPS (or at localhost), or start the service with JWT_COOKIE_SECURE=false.',
}

const CSRF_ACCESS = 'csrf_access_token'
const CSRF_REFRESH = 'csrf_refresh_token'
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** 401s that mean this browser's session is over (revoked, expired, user gone or deactivated). */
const SESSION_ENDED = new Set<ApiError['code']>([
  'authorization_required',
  'token_expired',
  'token_revoked',
  'invalid_token',
  'wrong_token_type',
  'user_not_found',
  'user_inactive',
])

function readCookie(name: string): string | undefined {
  for (const pair of document.cookie.split('; ')) {
    const eq = pair.indexOf('=')
    if (pair.slice(0, eq) === name) return decodeURIComponent(pair.slice(eq + 1))
  }
  return undefined
}

/** Whether this browser has a session: the readable CSRF twin of the refresh cookie lives as long as it. */
export const hasSession = () => readCookie(CSRF_REFRESH) !== undefined

client.use({
  onRequest({ request, schemaPath }) {
    // Without a session, the only cookie left to send is an ended session's token, which would
    // turn public answers into 401s until it expires. /login's answer must still set cookies.
    if (!hasSession() && schemaPath !== '/login') return new Request(request, { credentials: 'omit' })
    // A cookie-authenticated change must echo its CSRF cookie (the refresh one for /refresh).
    if (!STATE_CHANGING.has(request.method)) return request
    const csrf = readCookie(schemaPath === '/refresh' ? CSRF_REFRESH : CSRF_ACCESS)
    if (csrf) request.headers.set('X-CSRF-Token', csrf)
    return request
  },
})

const ended = new Set<() => void>()
/** Calls `listener` whenever the API says the session is over; returns the unsubscribe. */
export function onSessionEnded(listener: () => void) {
  ended.add(listener)
  return () => void ended.delete(listener)
}
/**
 * The session is over: the readable CSRF cookies go (the HttpOnly token cookies cannot be
 * touched from here, and expire unused), so the app stops acting as logged in.
 */
function endSession() {
  const secure = window.isSecureContext ? '; Secure' : ''
  for (const name of [CSRF_ACCESS, CSRF_REFRESH]) document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Lax${secure}`
  ended.forEach((listener) => listener())
}

type Failure = { data?: undefined; error: ApiError; response: Response }
let refreshing: Promise<Failure | undefined> | undefined
/**
 * POST /refresh with the refresh cookie: new cookies, a non-fresh access token; resolves with
 * the failure, if any. One at a time: a refresh token is single use, and a second refresh with
 * it would look like theft.
 */
function refresh(): Promise<Failure | undefined> {
  refreshing ??= client
    // The body holds the token pair, which the app has no use for: it is never read.
    .POST('/refresh', { parseAs: 'stream' })
    .then(async ({ data, error, response }) => {
      await data?.cancel()
      if (!error) return undefined
      endSession()
      return { error, response }
    })
    .finally(() => (refreshing = undefined))
  return refreshing
}

/** POST /login; the cookies it sets are the session. Resolves with the API's error, if any. */
export async function logIn(username: string, password: string): Promise<ApiError | undefined> {
  const { data, error } = await client.POST('/login', { body: { username, password }, parseAs: 'stream' })
  await data?.cancel()
  // A browser drops Secure cookies on a plain-HTTP origin other than localhost or 127.0.0.1.
  if (!error && !hasSession()) return COOKIES_REFUSED
  return error
}

/**
 * Asks the person for their password again (the fresh-token dialog). `confirm` logs in with it
 * and resolves with the API's error, if any; the prompt resolves true once that worked.
 */
export type PasswordPrompt = (confirm: (password: string) => Promise<ApiError | undefined>) => Promise<boolean>
let fresh: { prompt: PasswordPrompt; username: () => string | undefined } | undefined
export function setPasswordPrompt(prompt: PasswordPrompt, username: () => string | undefined) {
  fresh = { prompt, username }
  return () => void (fresh = undefined)
}

/** The id of this browser's session, to end it once a new login replaces it. */
async function currentSessionId() {
  const { data } = await client.GET('/me/sessions', { params: { query: { limit: 100 } } })
  return data?.data.find((session) => session.current)?.id
}

let confirming: Promise<boolean> | undefined
/**
 * The fresh-token step: a change needs a token straight from /login, so the person logs in again
 * with their password; the session that login replaces is ended, so it does not linger.
 */
function confirmPassword(): Promise<boolean> {
  confirming ??= (async () => {
    const username = fresh?.username()
    if (!fresh || !username) return false
    const replaced = await currentSessionId()
    return fresh.prompt(async (password) => {
      const error = await logIn(username, password)
      if (!error && replaced) await client.DELETE('/me/sessions/{sid}', { params: { path: { sid: replaced } } })
      return error
    })
  })().finally(() => (confirming = undefined))
  return confirming
}

/**
 * Runs one API call through the session's steps: refreshes the access token first when its
 * cookie has expired (the browser drops it with the token), once more if the API still says it
 * expired, asks for the password when the call needs a fresh token, and retries; reports an
 * ended session to the listeners. `send` runs again for each retry: `api((c) => c.GET('/store'))`.
 */
export async function api<R extends { error?: ApiError | undefined }>(send: (client: Client) => Promise<R>): Promise<R | Failure> {
  const attempt = async (): Promise<R | Failure> => {
    // A session that cannot be refreshed is over: its failure is the answer, nothing is sent.
    const failed = readCookie(CSRF_ACCESS) === undefined && hasSession() ? await refresh() : undefined
    return failed ?? send(client)
  }
  let result = await attempt()
  if (result.error?.code === 'token_expired' && !(await refresh())) result = await attempt()
  if (result.error?.code === 'fresh_token_required' && (await confirmPassword())) result = await attempt()
  if (result.error && SESSION_ENDED.has(result.error.code)) endSession()
  return result
}
