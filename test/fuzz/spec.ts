import { readFileSync } from 'node:fs'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import type { JsonSchema } from './schema-arb.js'

type Media = { schema?: JsonSchema }
type Response = { description?: string; content?: Record<string, Media> }
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: JsonSchema }
type RawOperation = {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, Media> }
  security?: Record<string, string[]>[]
  responses: Record<string, Response>
}

export interface Spec {
  paths: Record<string, Record<string, RawOperation>>
  components: { schemas: Record<string, JsonSchema> }
}

/** One operation of the committed openapi.yaml, in the form the fuzzer needs. */
export interface Operation {
  id: string
  name: string
  method: string
  path: string
  pathParams: Parameter[]
  queryParams: Parameter[]
  /** `form`: the body may also be application/x-www-form-urlencoded. */
  body?: { schema: JsonSchema; required: boolean; form: boolean }
  /** The security alternatives; `[]` is public. */
  security: Record<string, string[]>[]
  responses: Record<string, Response>
}

export const spec = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as Spec

const COMPONENT = '#/components/schemas/'
const BASE = 'https://stores-api.test/schemas/'

/** Resolves `#/components/schemas/X` against the committed document. */
export function resolve(ref: string): JsonSchema {
  const name = ref.startsWith(COMPONENT) ? ref.slice(COMPONENT.length) : undefined
  const schema = name === undefined ? undefined : spec.components.schemas[name]
  if (!schema) throw new Error(`cannot resolve ${ref}`)
  return schema
}

const FORM = 'application/x-www-form-urlencoded'

export const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => {
    const body = op.requestBody?.content['application/json']?.schema
    return {
      id: op.operationId,
      name: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path'),
      queryParams: (op.parameters ?? []).filter((p) => p.in === 'query'),
      ...(body && { body: { schema: body, required: op.requestBody?.required ?? false, form: FORM in (op.requestBody?.content ?? {}) } }),
      security: op.security ?? [],
      responses: op.responses,
    }
  }),
)

/** True when the number has at most `places` decimals in its shortest decimal form. */
export function decimalsOk(value: number, places: number) {
  const text = String(value)
  return /^-?\d+(\.\d+)?$/.test(text) && (text.split('.')[1]?.length ?? 0) <= places
}

/** `#/components/schemas/X` as an absolute URI Ajv can resolve from any schema. */
function absoluteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(absoluteRefs) as T
  if (!value || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(COMPONENT, BASE) : absoluteRefs(v)]),
  ) as T
}

/** Every `x-` extension keyword used in the document's schemas. */
function extensions(value: unknown, found = new Set<string>()): Set<string> {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('x-')) found.add(k)
      extensions(v, found)
    }
  }
  return found
}

/**
 * Ajv 2020 with formats, the OpenAPI 3.1 dialect's annotations, `x-decimal-places` (checked) and
 * other `x-` extensions (ignored), and every component schema under its name.
 */
function makeAjv(coerce: boolean) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, ...(coerce && { coerceTypes: 'array' as const }) })
  addFormats.default(ajv)
  const annotations = ['discriminator', 'xml', 'externalDocs', 'example', ...extensions(spec.components.schemas), ...extensions(spec.paths)]
  ajv.addVocabulary([...new Set(annotations)].filter((k) => k !== 'x-decimal-places'))
  ajv.addKeyword({
    keyword: 'x-decimal-places',
    type: 'number',
    schemaType: 'number',
    validate: (places: number, value: number) => decimalsOk(value, places),
  })
  for (const [name, schema] of Object.entries(spec.components.schemas)) ajv.addSchema({ ...absoluteRefs(schema), $id: BASE + name })
  const cache = new Map<string, ValidateFunction>()
  return (schema: JsonSchema, value: unknown): string | undefined => {
    const key = JSON.stringify(schema)
    let validate = cache.get(key)
    if (!validate) {
      validate = ajv.compile(absoluteRefs(schema))
      cache.set(key, validate)
    }
    return validate(value) ? undefined : ajv.errorsText(validate.errors)
  }
}

/** Exact validation (bodies, responses): the schema's problems with `value`, or undefined. */
export const check = makeAjv(false)
/** As the service reads path and query parameters: from their string form. */
const checkCoerced = makeAjv(true)

const objectOf = (params: Parameter[]): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
  required: params.filter((p) => p.required).map((p) => p.name),
})

/** What the service would see of a request, to judge it against the spec. */
export interface SentRequest {
  path: Record<string, string>
  query: Record<string, string | string[]>
  contentType?: string
  /** The body text; undefined when none is sent. */
  payload?: string
}

const BODY_LIMIT = 1024 * 1024
const isJsonType = (type: string | undefined) => !!type && /^application\/json\s*(;|$)/i.test(type)

/** The keys secure-json-parse refuses: `__proto__`, and `constructor` holding a `prototype` (walked without recursion: bodies nest deep). */
function poisoned(root: unknown): boolean {
  const stack = [root]
  while (stack.length) {
    const value = stack.pop()
    if (!value || typeof value !== 'object') continue
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__' || (k === 'constructor' && !!v && typeof v === 'object' && 'prototype' in v)) return true
      stack.push(v)
    }
  }
  return false
}

/** Why the request breaks the operation's documented contract, or undefined if it does not. */
export function violation(op: Operation, req: SentRequest): string | undefined {
  if (op.pathParams.length) {
    const problem = checkCoerced(objectOf(op.pathParams), { ...req.path })
    if (problem) return `path: ${problem}`
  }
  if (op.queryParams.length) {
    const problem = checkCoerced(objectOf(op.queryParams), structuredClone(req.query))
    if (problem) return `query: ${problem}`
  }
  if (!op.body) return undefined
  if (req.payload === undefined) return op.body.required ? 'no body' : undefined
  if (Buffer.byteLength(req.payload) > BODY_LIMIT) return 'body over 1 MiB'
  if (op.body.form && req.contentType?.split(';')[0]?.trim().toLowerCase() === FORM) return formViolation(op.body.schema, req.payload)
  if (!isJsonType(req.contentType)) return `content type ${req.contentType ?? '(none)'}`
  let value: unknown
  try {
    value = JSON.parse(req.payload)
  } catch {
    return 'malformed JSON'
  }
  if (poisoned(value)) return 'prototype poisoning key'
  const problem = check(op.body.schema, value)
  return problem && `body: ${problem}`
}

/** A form body: a field given twice is refused, the rest is checked like JSON. */
function formViolation(schema: JsonSchema, payload: string): string | undefined {
  const fields = [...new URLSearchParams(payload)]
  if (new Set(fields.map(([name]) => name)).size !== fields.length) return 'a form field given twice'
  const problem = check(schema, Object.fromEntries(fields))
  return problem && `form body: ${problem}`
}

/** A received response, as light-my-request gives it. */
export interface Received {
  statusCode: number
  headers: Record<string, unknown>
  body: string
}

export type Problem = { kind: '5xx' | 'undocumented' | 'schema'; reason: string }

const ERROR_SCHEMA: JsonSchema = { $ref: `${COMPONENT}Error` }

/** What is wrong with a response against the operation's documented responses. */
export function responseProblems(op: Operation, res: Received): Problem[] {
  const status = res.statusCode
  if (status >= 500) return [{ kind: '5xx', reason: `status ${status}` }]
  const documented = op.responses[String(status)] ?? (status >= 400 && status < 500 ? op.responses['4XX'] : undefined)
  if (!documented) return [{ kind: 'undocumented', reason: `status ${status} is not documented for ${op.name}` }]
  const problems: Problem[] = []
  const schemas = Object.entries(documented.content ?? {})
  const json = schemas.find(([type]) => type === 'application/json')
  const type = String(res.headers['content-type'] ?? '')
  if (json && !isJsonType(type)) problems.push({ kind: 'schema', reason: `Content-Type ${type || '(none)'}, expected application/json` })
  let body: unknown
  try {
    body = JSON.parse(res.body)
  } catch {
    if (json) problems.push({ kind: 'schema', reason: 'body is not JSON' })
    return problems
  }
  const schema = json?.[1].schema
  const bad = schema && check(schema, body)
  if (bad) problems.push({ kind: 'schema', reason: `body does not match the ${status} schema: ${bad}` })
  if (status >= 400) {
    const notError = check(ERROR_SCHEMA, body)
    if (notError) problems.push({ kind: 'schema', reason: `4xx body is not an Error: ${notError}` })
    else if ((body as { statusCode: number }).statusCode !== status) problems.push({ kind: 'schema', reason: `Error.statusCode is not ${status}` })
    if (status === 401 && !String(res.headers['www-authenticate'] ?? '').startsWith('Bearer realm="stores-api"')) {
      problems.push({ kind: 'schema', reason: '401 without WWW-Authenticate: Bearer realm="stores-api"' })
    }
  }
  return problems
}
