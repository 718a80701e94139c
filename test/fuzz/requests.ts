import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import { schemaArbitraries } from './schema-arb.js'
import { check, resolve, type Operation, type SentRequest } from './spec.js'

/**
 * The credentials a request is sent with: a fresh admin access token, a normal user's, a non-fresh
 * admin token from /refresh, a refresh token, something that is not a valid token, or nothing.
 */
export type Credential = 'admin' | 'user' | 'nonfresh' | 'refresh' | 'garbage' | 'none'

export interface FuzzRequest {
  op: Operation
  intent: 'valid' | 'violating' | 'junk'
  /** Path parameter values; `$sid` stands for the credential's own session id, `$raw:` for text sent unencoded. */
  path: Record<string, string>
  query: [string, string][]
  credential: Credential
  /** The Authorization header for `garbage`; `$tampered`, `$forged`, `$expired`, `$unsigned` are made from a real token. */
  garbage: string
  contentType?: string
  /** The body text; `$huge` is a JSON body over 1 MiB, and `"$store:k"` in it the k-th existing store's id. */
  payload?: string
}

type Parts = Omit<FuzzRequest, 'op' | 'intent'>
type Patch = (parts: Parts) => Partial<Parts>
type Arb<T = unknown> = fc.Arbitrary<T>

const JSON_TYPES = fc.constantFrom('application/json', 'application/json; charset=utf-8')
const OTHER_TYPES = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'application/vnd.api+json',
  'image/png',
  '*/*',
  '',
)
const ANY_TYPE = fc.oneof(JSON_TYPES, OTHER_TYPES, fc.constantFrom('APPLICATION/JSON', 'application/json;charset=UTF-8', undefined))

const MALFORMED_JSON = fc.oneof(
  fc.constantFrom(
    '', ' ', '{', '}', '{"a":', '[1,]', "{'a':1}", '{"a":1}x', 'nul', 'undefined', 'NaN', '{"a":NaN}', '{"a":01}', '\u0000',
    '{"a":1e400}', '"\\ud800"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":"\\u00"}',
    '['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

const NON_FINITE = ['Infinity', '-Infinity', '1e400', 'NaN']
const BAD_IDS = fc.constantFrom(
  ...NON_FINITE, '0', '-1', '1.5', 'abc', '2147483648', '99999999999999999999', '1'.repeat(400), '', ' ', 'null', 'true',
  '0x10', '+1', '1e3', '١', '１', '1 OR 1=1', '../1', '$raw:%zz', '$raw:%', '$raw:1%00', '$raw:1;a=b',
)
const BAD_QUERY_VALUES = fc.constantFrom(...NON_FINITE, '', 'abc', '1.5', '-1')

/** Stand-ins for tokens made at run time from a real one. */
const FORGED = ['$tampered', '$forged', '$expired', '$unsigned']
const GARBAGE_AUTH = fc.oneof(
  fc.constantFrom(
    ...FORGED, '', 'Bearer', 'Bearer ', 'Bearer  ', 'Basic YWRtaW46cGFzc3dvcmQ=', 'Bearer a.b.c', 'Bearer null', 'Token abc',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `Bearer ${s}`),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
)

export type Weights = Partial<Record<Credential, number>>

/** Which credentials a request carries: by default weighted toward the ones that pass the operation's auth. */
function credentialArb(op: Operation, weights: Weights = {}): Arb<Credential> {
  const refresh = op.security.some((alt) => 'refreshCookieAuth' in alt)
  const defaults: Record<Credential, number> = { admin: refresh ? 1 : 4, user: 2, nonfresh: 1, refresh: refresh ? 4 : 1, garbage: 1, none: 1 }
  const all = { ...defaults, ...weights }
  return fc.oneof(...(Object.keys(all) as Credential[]).map((credential) => ({ weight: all[credential], arbitrary: fc.constant(credential) })))
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

/** Path parameters that only make sense with existing data: `$sid` the caller's session, `$existing:k` the k-th existing row. */
const PATH_HINTS: Record<string, Arb<string>> = { sid: fc.constant('$sid'), id: fc.nat(1000).map((k) => `$existing:${k}`) }

export interface RequestOptions {
  /** Known values mixed into body fields of that name. */
  hints?: Record<string, Arb>
  /** Overrides of how often each credential is used. */
  credentials?: Weights
}

/**
 * Requests for one operation: schema-valid, schema-violating (one part broken at a time), and
 * junk (random bodies, content types and query strings).
 */
export function requestArb(op: Operation, { hints = {}, credentials }: RequestOptions = {}): Arb<FuzzRequest> {
  const { valid, invalid } = schemaArbitraries(resolve, { hints, accepts: (schema, v) => check(schema, v) === undefined })
  const validPath = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => {
        const value = valid(p.schema).map(asText)
        const hint = PATH_HINTS[p.name]
        return [p.name, hint ? fc.oneof(value, hint) : value]
      }),
    ),
  )
  const queryValue = (p: Operation['queryParams'][number]) => (p.required ? valid(p.schema) : fc.option(valid(p.schema), { nil: undefined }))
  const validQuery = fc
    .tuple(...op.queryParams.map((p) => queryValue(p).map((v) => [p.name, v] as const)))
    .map((pairs) => pairs.filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, asText(v)]))
  const body = op.body
  const parts: Arb<Parts> = fc.record({
    path: validPath,
    query: validQuery,
    credential: credentialArb(op, credentials),
    garbage: GARBAGE_AUTH,
    ...(body && { contentType: JSON_TYPES, payload: valid(body.schema).map((v) => JSON.stringify(v)) }),
  })

  const violations: Arb<Patch>[] = []
  for (const p of op.pathParams) {
    // `.` and `..` are dot-segments: every client resolves them away before sending.
    const bad = fc.oneof(invalid(p.schema).map(asText), BAD_IDS).filter((v) => v !== '.' && v !== '..')
    violations.push(bad.map((v): Patch => (parts) => ({ path: { ...parts.path, [p.name]: v } })))
  }
  for (const q of op.queryParams) {
    const bad = fc.oneof(invalid(q.schema).map(asText), BAD_QUERY_VALUES)
    violations.push(bad.map((v): Patch => (parts) => ({ query: [...parts.query.filter(([k]) => k !== q.name), [q.name, v]] })))
    const twice = fc.tuple(valid(q.schema), valid(q.schema))
    violations.push(twice.map(([a, b]): Patch => (parts) => ({ query: [...parts.query, [q.name, asText(a)], [q.name, asText(b)]] })))
  }
  if (body) {
    violations.push(invalid(body.schema).map((v): Patch => () => ({ payload: JSON.stringify(v) })))
    violations.push(MALFORMED_JSON.map((text): Patch => () => ({ payload: text })))
    violations.push(OTHER_TYPES.map((type): Patch => () => ({ contentType: type })))
    violations.push(fc.constant((): Partial<Parts> => ({ payload: '$huge' })))
    if (body.required) violations.push(fc.constant((): Partial<Parts> => ({ payload: undefined, contentType: undefined })))
  }

  const junkBody = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), MALFORMED_JSON)
  const junk: Arb<Patch> = fc
    .record({
      extraQuery: fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { maxLength: 3 }),
      payload: fc.option(junkBody, { nil: undefined }),
      contentType: ANY_TYPE,
    })
    .map(({ extraQuery, payload, contentType }): Patch => (parts) => ({ query: [...parts.query, ...extraQuery], payload, contentType }))

  const build = (intent: FuzzRequest['intent'], patch: Arb<Patch>) =>
    fc.tuple(parts, patch).map(([p, change]): FuzzRequest => ({ op, intent, ...p, ...change(p) }))
  return fc.oneof(
    { weight: 3, arbitrary: build('valid', fc.constant(() => ({}))) },
    ...(violations.length ? [{ weight: 2, arbitrary: build('violating', fc.oneof(...violations)) }] : []),
    { weight: 1, arbitrary: build('junk', junk) },
  )
}

/** What the fuzzer needs from its running state to turn a generated request into a real one. */
export interface Context {
  token(credential: Credential): string | undefined
  /** What `admin` sends to an operation secured by introspectionAuth: the INTROSPECTION_TOKEN. */
  introspectionCredential: string
  sessionId(credential: Credential): string
  /** The id of an existing row of the resource a path names (`/item/{id}`: items), picked by `k`. */
  existingId(path: string, k: number): string
  garbage(marker: string): string
}

const HUGE = `{"name":"${'a'.repeat(1024 * 1024 + 10)}"}`

/** The request with `$sid` and `$existing:k` path values replaced by real ids. */
export function resolveMarkers(req: FuzzRequest, ctx: Context): FuzzRequest {
  const path = Object.fromEntries(
    Object.entries(req.path).map(([name, raw]) => {
      if (raw === '$sid') return [name, ctx.sessionId(req.credential)]
      if (raw.startsWith('$existing:')) return [name, ctx.existingId(req.op.path, Number(raw.slice('$existing:'.length)))]
      return [name, raw]
    }),
  )
  return { ...req, path }
}

/** The exact request to inject, and what the service sees of it (for judging it against the spec). */
export function materialize(req: FuzzRequest, ctx: Context): { inject: InjectOptions; sent: SentRequest } {
  const path: Record<string, string> = {}
  let url = req.op.path
  for (const [name, value] of Object.entries(req.path)) {
    const raw = value.startsWith('$raw:')
    const segment = raw ? value.slice('$raw:'.length) : encodeURIComponent(value)
    path[name] = raw ? safeDecode(segment) : value
    url = url.replace(`{${name}}`, segment)
  }
  const search = new URLSearchParams(req.query).toString()
  if (search) url += `?${search}`
  const values = new Map<string, string[]>()
  for (const [k, v] of req.query) values.set(k, [...(values.get(k) ?? []), v])
  // Own properties even for keys such as `__proto__`; a repeated key is an array, as Fastify parses it.
  const query = Object.fromEntries([...values].map(([k, v]) => [k, v.length === 1 ? v[0]! : v]))
  const headers: Record<string, string> = {}
  const introspection = req.credential === 'admin' && req.op.security.some((alt) => 'introspectionAuth' in alt)
  const token = req.credential === 'garbage' ? undefined : introspection ? ctx.introspectionCredential : ctx.token(req.credential)
  if (token) headers.authorization = `Bearer ${token}`
  if (req.credential === 'garbage') headers.authorization = FORGED.includes(req.garbage) ? ctx.garbage(req.garbage) : req.garbage
  if (req.contentType !== undefined) headers['content-type'] = req.contentType
  const store = (_: string, k: string) => ctx.existingId('/store/{id}', Number(k))
  const payload = req.payload === '$huge' ? HUGE : req.payload?.replace(/"\$store:(\d+)"/g, store)
  return {
    inject: { method: req.op.method as InjectOptions['method'], url, headers, ...(payload !== undefined && { payload }) },
    sent: { path, query, ...(req.contentType !== undefined && { contentType: req.contentType }), ...(payload !== undefined && { payload }) },
  }
}

function safeDecode(segment: string) {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
