// A generated client, end to end: openapi-typescript types from the committed openapi.yaml,
// a program using them with openapi-fetch (test/client/flow.ts) type-checked without casts,
// then run against the real server.
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { startServer } from './live-server.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const GENERATED = join(ROOT, 'test/artifacts/client/api.ts')
const FLOW = join(ROOT, 'test/client/flow.ts')

/** Type-checks `file` (and what it imports) with the project's compiler options. */
function typeErrors(file: string): string[] {
  const configPath = join(ROOT, 'tsconfig.json')
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT)
  const program = ts.createProgram([file], { ...options, noEmit: true })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
    const name = d.file ? `${d.file.fileName.replace(ROOT, '')}:${(where?.line ?? 0) + 1}` : ''
    return `${name} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
}

/** Casts and non-null assertions in `file`: a client that needs one is working around the spec. */
function casts(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) {
      found.push(`line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

t.test('the client generated from openapi.yaml compiles and drives the running server', async (t) => {
  const ast = await openapiTS(new URL('../openapi.yaml', import.meta.url))
  mkdirSync(dirname(GENERATED), { recursive: true })
  writeFileSync(GENERATED, astToString(ast))

  const generated = readFileSync(GENERATED, 'utf8')
  t.match(generated, /"\/login": \{/, 'paths are typed')
  t.notMatch(generated, /LoginRequest: unknown|\| unknown/, 'no schema degrades to unknown')

  t.same(typeErrors(FLOW), [], 'the client program type-checks against the generated types')
  t.same(casts(FLOW), [], 'without casts or non-null assertions')

  const server = await startServer(t)
  // Loaded at run time by URL: the root tsconfig leaves test/client/ out, since its types
  // exist only once this test has generated them.
  const { clientFlow } = (await import(new URL('client/flow.ts', import.meta.url).href)) as {
    clientFlow: (baseUrl: string, check: typeof t) => Promise<void>
  }
  await clientFlow(server.url, t)
})
