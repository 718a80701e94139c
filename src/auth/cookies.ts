/** The cookies of cookie mode: each token in an HttpOnly cookie, beside the readable CSRF value. */
export const COOKIES = {
  access: { name: 'access_token_cookie', csrf: 'csrf_access_token', path: '/' },
  refresh: { name: 'refresh_token_cookie', csrf: 'csrf_refresh_token', path: '/refresh' },
} as const
