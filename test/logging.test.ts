import t from 'tap'
import { bearer, build, decodeJwt, logCapture, TEST_SECRET } from './helper.js'

const PASSWORD = 'first-secret-passphrase'
const NEW_PASSWORD = 'second-secret-passphrase'

t.test('security events are logged as structured lines, and no secret is ever logged', async (t) => {
  const logs = logCapture()
  const app = await build(t, { LOG_LEVEL: 'trace', JWT_TOKEN_LOCATION: 'headers,cookies' }, { logStream: logs.stream })
  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers })

  const reg = await post('/register', { username: 'alice', password: PASSWORD })
  const userId = reg.json().id as number
  await post('/register', { username: 'bob', password: PASSWORD })
  const failed = await post('/login', { username: 'alice', password: 'wrong-password-1' })
  t.equal(failed.statusCode, 401)
  await post('/login', { username: 'nobody', password: 'wrong-password-1' })

  const first = await post('/login', { username: 'alice', password: PASSWORD })
  const second = (await post('/login', { username: 'alice', password: PASSWORD })).json()
  const pair = first.json()
  const sid = decodeJwt(pair.access_token).sid
  const refreshed = (await post('/refresh', undefined, bearer(pair.refresh_token))).json()
  const replay = await post('/refresh', undefined, bearer(pair.refresh_token))
  t.equal(replay.statusCode, 401, 'replayed refresh token')

  const third = (await post('/login', { username: 'alice', password: PASSWORD })).json()
  const inUrl = await app.inject({ method: 'GET', url: `/me?access_token=${third.access_token}`, headers: bearer(third.access_token) })
  await app.inject({ method: 'DELETE', url: `/me/sessions/${decodeJwt(second.access_token).sid}`, headers: bearer(third.access_token) })
  await app.inject({
    method: 'PUT',
    url: '/me/password',
    headers: bearer(third.access_token),
    payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
  })
  await app.inject({ method: 'PATCH', url: '/user/2', headers: bearer(third.access_token), payload: { roles: ['user', 'auditor'] } })
  await app.inject({ method: 'DELETE', url: '/user/2', headers: bearer(third.access_token) })
  const logout = await post('/logout', undefined, bearer(third.access_token))
  t.equal(logout.statusCode, 200)

  t.test('no password, hash, token, cookie or key in any line', async (t) => {
    const everything = logs.raw.join('\n')
    t.ok(logs.raw.length > 20, `${logs.raw.length} lines captured`)
    const cookieValues = [first, logout].flatMap((r) => r.cookies.map((c) => c.value)).filter((v) => v.length > 8)
    const secrets = [
      PASSWORD,
      NEW_PASSWORD,
      'wrong-password-1',
      TEST_SECRET,
      ...[pair, second, refreshed, third].flatMap((p) => [p.access_token, p.refresh_token]),
      ...cookieValues,
    ]
    for (const secret of secrets) t.notOk(everything.includes(secret), `not logged: ${secret.slice(0, 12)}…`)
    t.notMatch(everything, /\$argon2/, 'no password hash')
    // A request with a token in its URL is logged by its route: neither the token nor the query appears.
    const line = logs.lines.find((l) => l.reqId === inUrl.headers['x-request-id'] && l.msg === 'request completed')
    t.match(line, { method: 'GET', route: '/me', statusCode: 200 }, 'its access line names the route')
    t.notMatch(everything, /access_token=/, 'no query string with a token in any line')
  })

  t.test('each security event: one line with its event name, user, session and request id', async (t) => {
    const events = logs.lines.filter((l) => typeof l.event === 'string')
    const find = (event: string) => events.filter((l) => l.event === event)
    for (const name of [
      'user_registered',
      'login_failed',
      'login_succeeded',
      'token_refreshed',
      'refresh_reuse_detected',
      'session_revoked',
      'password_changed',
      'user_updated',
      'user_deleted',
      'logout',
    ]) {
      const lines = find(name)
      t.ok(lines.length >= 1, `${name} logged`)
      for (const line of lines) t.type(line.reqId, 'string', `${name} has the request id`)
    }
    t.equal(find('login_failed').length, 2, 'both failed logins')
    t.match(find('login_failed')[0], { user_id: userId, reason: 'wrong_password', level: 40 })
    t.match(find('login_succeeded')[0], { user_id: userId, session_id: sid, level: 30 })
    t.match(find('refresh_reuse_detected')[0], { user_id: userId, session_id: sid, level: 40 })
    t.match(find('user_updated')[0], { user_id: userId, target_user_id: 2, roles: ['user', 'auditor'] })
    t.match(find('user_deleted')[0], { user_id: userId, target_user_id: 2 })
    t.match(find('logout')[0], { user_id: userId, session_id: decodeJwt(third.access_token).sid })
  })

  t.test('every line about a request carries its id, also returned as x-request-id', async (t) => {
    const requestLines = logs.lines.filter((l) => l.req || l.res || l.event)
    t.ok(requestLines.length > 0)
    t.ok(requestLines.every((l) => typeof l.reqId === 'string'), 'reqId on every request line')
    const id = replay.headers['x-request-id']
    t.ok(logs.lines.some((l) => l.reqId === id), 'the error response names a logged request')
  })
})
