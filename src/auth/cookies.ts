/** The cookies of cookie mode: each token in an HttpOnly cookie, beside the readable CSRF value. */
export const COOKIES = {
  access: { name: 'access_token_cookie', csrf: 'csrf_access_token', path: '/' },
  refresh: { name: 'refresh_token_cookie', csrf: 'csrf_refresh_token', path: '/refresh' },
} as const

/**
 * Both CSRF cookies live on `/`: a page anywhere on the site (the web app at /app) must read
 * csrf_refresh_token to send it with POST /refresh. The refresh token itself stays on /refresh.
 */
export const CSRF_PATH = '/'
