import { AjvCompiler } from '@fastify/ajv-compiler'
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

/**
 * Two Ajv instances sharing the `$id` schemas: path and query parameters are converted from
 * their string form, bodies are never coerced ("1" for a number is a 400).
 */
export const validation: Pick<FastifyServerOptions, 'ajv' | 'schemaController'> = {
  ajv: { customOptions: { removeAdditional: false, allErrors: false }, plugins: [decimalPlaces] },
  schemaController: {
    compilersFactory: {
      buildValidator(externalSchemas, options?: AjvOptions) {
        const base = (options ?? {}) as { customOptions?: object }
        const coercing = factory(externalSchemas, options)
        const exact = factory(externalSchemas, {
          ...base,
          customOptions: { ...base.customOptions, coerceTypes: false },
        } as AjvOptions)
        return (route) => (route.httpPart === 'body' ? exact : coercing)(route)
      },
    },
  },
}
