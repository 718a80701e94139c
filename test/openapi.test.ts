import t from 'tap'
import { readFileSync } from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { parse } from 'yaml'
import { openApiYaml } from '../src/openapi.js'
import { build } from './helper.js'

type Header = { $ref?: string; required?: boolean }
type Operation = {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Record<string, string[]>[]
  parameters?: Array<{ in: string; name: string; example?: unknown }>
  responses: Record<string, { headers?: Record<string, Header>; content?: Record<string, { schema?: { $ref?: string } }> }>
}

const committed = readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8')
const spec = parse(committed) as {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; headers: Record<string, Header> }
}
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
)

t.test('openapi.yaml is what the code generates', async (t) => {
  t.equal(committed, await openApiYaml(), 'run `npm run openapi` and commit openapi.yaml')
})

t.test('the document is valid OpenAPI 3.1', async (t) => {
  const api = await SwaggerParser.validate(structuredClone(spec) as never)
  t.equal((api as { openapi: string }).openapi, '3.1.0')
})

t.test('/docs/json and /docs/yaml serve the same document', async (t) => {
  const app = await build(t)
  const json = await app.inject('/docs/json')
  t.equal(json.statusCode, 200)
  t.same(json.json(), spec)
  const yaml = await app.inject('/docs/yaml')
  t.equal(yaml.statusCode, 200)
  t.same(parse(yaml.body), spec)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
})

t.test('named component schemas', async (t) => {
  for (const name of ['User', 'Store', 'StoreWithItems', 'Item', 'TokenPair', 'Session', 'Error', 'UsersPage', 'StoresPage', 'ItemsPage', 'SessionsPage']) {
    t.ok(spec.components.schemas[name], name)
  }
  t.notOk(Object.keys(spec.components.schemas).some((k) => k.startsWith('def-')), 'no anonymous def-N components')
})

t.test('every operation is documented', async (t) => {
  t.ok(operations.length >= 24, `${operations.length} operations`)
  const ids = new Set<string>()
  for (const { name, op } of operations) {
    t.ok(op.operationId && !ids.has(op.operationId), `${name}: unique operationId`)
    ids.add(op.operationId ?? '')
    t.ok(op.summary, `${name}: summary`)
    t.ok(op.tags?.length, `${name}: tag`)
    t.ok(Array.isArray(op.security), `${name}: security stated`)
    t.equal(op.responses['4XX']?.content?.['application/json']?.schema?.$ref, '#/components/schemas/Error', `${name}: 4XX Error`)
    if ((op.security ?? []).length > 0) t.ok(op.responses['401'], `${name}: secured, so 401 documented`)
    for (const [status, response] of Object.entries(op.responses)) {
      if (/^[45]/.test(status)) {
        t.equal(response.content?.['application/json']?.schema?.$ref, '#/components/schemas/Error', `${name} ${status}: Error`)
      }
    }
  }
})

t.test('security follows the auth levels of API.md', async (t) => {
  const security = (name: string) => operations.find((o) => o.name === name)?.op.security
  t.same(security('GET /'), [])
  t.same(security('POST /login'), [])
  t.same(security('GET /store'), [])
  t.same(security('GET /item'), [{ bearerAuth: [] }, {}])
  t.same(security('GET /me'), [{ bearerAuth: [] }, { cookieAuth: [] }])
  t.same(security('POST /refresh'), [{ bearerAuth: [] }, { refreshCookieAuth: [] }])
  const adminOps = ['GET /users', 'PATCH /user/{id}', 'DELETE /store/{id}', 'DELETE /item/{id}']
  for (const name of adminOps) t.ok(operations.find((o) => o.name === name)?.op.responses['403'], `${name}: 403`)
})

t.test('the headers responses carry are declared: WWW-Authenticate, Retry-After, Location, Cache-Control; path parameters have examples', async (t) => {
  /** The header object, through its $ref to components.headers when it has one. */
  const header = (h: Header | undefined) => (h?.$ref ? spec.components.headers[h.$ref.split('/').at(-1)!] : h)
  const counted = { 401: 0, 429: 0, 201: 0, token: 0, params: 0 }
  for (const { name, op } of operations) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (status === '401') counted[401] += Number(t.ok(header(response.headers?.['WWW-Authenticate'])?.required, `${name} 401: WWW-Authenticate`))
      if (status === '429') counted[429] += Number(t.ok(header(response.headers?.['Retry-After'])?.required, `${name} 429: Retry-After`))
      if (status === '201') counted[201] += Number(t.ok(header(response.headers?.Location)?.required, `${name} 201: a required Location`))
      if (response.content?.['application/json']?.schema?.$ref === '#/components/schemas/TokenPair') {
        counted.token += Number(t.ok(header(response.headers?.['Cache-Control'])?.required, `${name} ${status}: Cache-Control`))
      }
    }
    for (const p of (op.parameters ?? []).filter((p) => p.in === 'path')) counted.params += Number(t.not(p.example, undefined, `${name}: {${p.name}} has an example`))
  }
  t.ok(counted[401] >= 19 && counted[429] >= 2 && counted[201] >= 3 && counted.token === 2 && counted.params >= 8, `checked ${JSON.stringify(counted)}`)
})
