import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { Ajv } from 'ajv'
import type { FastifyServerOptions } from 'fastify'

/** True when the number has at most `places` decimals in its shortest decimal form (no float arithmetic). */
export function hasDecimalPlaces(value: number, places: number): boolean {
  const text = String(value)
  if (!/^-?\d+(\.\d+)?$/.test(text)) return false
  return (text.split('.')[1]?.length ?? 0) <= places
}

/**
 * `x-decimal-places`: JSON Schema's `multipleOf: 0.01` misfires on binary floats
 * (0.07 is not a multiple of 0.01 in IEEE 754), so prices are checked on their decimal text.
 */
function decimalPlaces(ajv: Ajv): Ajv {
  return ajv.addKeyword({
    keyword: 'x-decimal-places',
    type: 'number',
    schemaType: 'number',
    error: { message: (cxt) => `must have at most ${String(cxt.schema)} decimal places` },
    validate: (places: number, value: number) => hasDecimalPlaces(value, places),
  })
}

const factory = AjvCompiler()
type Pool = typeof factory
type AjvOptions = NonNullable<Parameters<Pool>[1]>

const serializers = SerializerSelector()

/**
 * Two Ajv instances sharing the `$id` schemas: path and query parameters are converted from
 * their string form, bodies are never coerced ("1" for a number is a 400).
 *
 * Each route's validators and serializers are compiled on first use rather than before
 * listening: most documented statuses are errors that may never happen, and compiling them
 * all at start is most of the start-up time.
 */
export const validation: Pick<FastifyServerOptions, 'ajv' | 'schemaController'> = {
  // validateSchema off: compiling the meta-schema at every start is slow, and the schemas are
  // code, so test/schemas.test.ts checks them once instead. Strict mode still refuses unknown keywords.
  ajv: { customOptions: { removeAdditional: false, allErrors: false, validateSchema: false }, plugins: [decimalPlaces] },
  schemaController: {
    compilersFactory: {
      buildValidator(externalSchemas, options?: AjvOptions) {
        const base = (options ?? {}) as { customOptions?: object }
        // strictNumbers off where strings are converted: with it, Ajv turns "1e400" or "Infinity" into
        // Infinity, and then skips `minimum`/`maximum` (they only run on finite numbers) for an integer.
        // Without it the bounds apply, so an id of Infinity is a 400. Bodies (JSON) keep it on.
        const coercing = factory(externalSchemas, {
          ...base,
          customOptions: { ...base.customOptions, strictNumbers: false },
        } as AjvOptions)
        const exact = factory(externalSchemas, {
          ...base,
          customOptions: { ...base.customOptions, coerceTypes: false },
        } as AjvOptions)
        return (route) => {
          const compile = route.httpPart === 'body' ? exact : coercing
          type Validate = ReturnType<typeof compile>
          let validate: Validate | undefined
          // Fastify only calls it and then reads `errors` off it; Ajv's other fields go unused.
          const lazy = ((data: unknown) => {
            validate ??= compile(route)
            const result = validate(data)
            lazy.errors = validate.errors
            return result
          }) as Validate
          return lazy
        }
      },
      buildSerializer(externalSchemas, options) {
        const compile = serializers(externalSchemas, options)
        return (route) => {
          let serialize: ((data: unknown) => string) | undefined
          return (data: unknown) => (serialize ??= compile(route))(data)
        }
      },
    },
  },
}
