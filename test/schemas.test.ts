// The service skips Ajv's meta-schema check at start (src/validation.ts): the schemas are
// code, so they are checked here, once, against the meta-schema Fastify's Ajv uses.
import t from 'tap'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { sharedSchemas } from '../schemas/index.js'

t.test('every shared schema is valid JSON Schema for Ajv', async (t) => {
  // Ajv's default meta-schema (draft-07), as in Fastify's instances; our one custom keyword known.
  const ajv = new Ajv({ strict: true, validateSchema: true })
  ajv.addKeyword({ keyword: 'x-decimal-places', type: 'number', schemaType: 'number' })
  ajv.addKeyword('example')
  addFormats.default(ajv)
  t.ok(sharedSchemas.length > 20, `${sharedSchemas.length} schemas`)
  for (const schema of sharedSchemas) {
    const valid = ajv.validateSchema(schema)
    t.ok(valid, `${schema.$id}${valid ? '' : `: ${ajv.errorsText(ajv.errors)}`}`)
  }
  // A broken schema is caught: the check can fail.
  t.notOk(ajv.validateSchema({ type: 'string', minLength: -1 }), 'minLength -1 is refused')
  t.notOk(ajv.validateSchema({ type: 'nonsense' }), 'an unknown type is refused')
  // Adding them all (refs resolved) and compiling each works in strict mode.
  for (const schema of sharedSchemas) ajv.addSchema(schema)
  for (const schema of sharedSchemas) t.doesNotThrow(() => ajv.getSchema(schema.$id!), `${schema.$id} compiles`)
})
