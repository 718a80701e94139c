import t from 'tap'
import { readFileSync } from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { parse } from 'yaml'
import { openApiYaml } from '../src/openapi.js'
import { build } from './helper.js'

type Operation = {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Record<string, string[]>[]
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>
}

const committed = readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8')
const spec = parse(committed) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } }
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
