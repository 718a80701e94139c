import fc from 'fast-check'

/** The JSON Schema (2020-12, as OpenAPI 3.1 uses it) keywords the generators understand. */
export interface JsonSchema {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  minProperties?: number
  maxProperties?: number
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  'x-decimal-places'?: number
  [keyword: string]: unknown
}

type Arb = fc.Arbitrary<unknown>
type Json = Record<string, unknown>

export interface SchemaArbitraries {
  /** Values the schema accepts. */
  valid(schema: JsonSchema): Arb
  /** Values the schema rejects: wrong types, out of range, too long, missing or extra properties... */
  invalid(schema: JsonSchema): Arb
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const codePoints = (s: string) => [...s].length

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type
  if (typeof s.type === 'string') return [s.type]
  if (s.properties || s.required) return ['object']
  if (s.items) return ['array']
  return []
}

/** A branch of `anyOf` read together with the keywords beside it (e.g. `required` alternatives of an object). */
function merge(base: JsonSchema, branch: JsonSchema): JsonSchema {
  return { ...base, ...branch, required: [...(base.required ?? []), ...(branch.required ?? [])] }
}

function decimalsOk(value: number, places: number) {
  const text = String(value)
  return /^-?\d+(\.\d+)?$/.test(text) && (text.split('.')[1]?.length ?? 0) <= places
}

/** An integer a decimal bound scales to, without float drift (999999999.99 * 100 is 99999999998.99998). */
const scaled = (bound: number, scale: number, round: (n: number) => number) => {
  const x = bound * scale
  return Math.abs(x - Math.round(x)) < 1e-6 ? Math.round(x) : round(x)
}

function bounds(s: JsonSchema, fallbackMin: number, fallbackMax: number) {
  const min = s.minimum ?? (s.exclusiveMinimum === undefined ? fallbackMin : s.exclusiveMinimum)
  const max = s.maximum ?? (s.exclusiveMaximum === undefined ? fallbackMax : s.exclusiveMaximum)
  const openMin = s.minimum === undefined && s.exclusiveMinimum !== undefined
  const openMax = s.maximum === undefined && s.exclusiveMaximum !== undefined
  return { min, max, openMin, openMax }
}

const anyJson: Arb = fc.jsonValue({ maxDepth: 2 })

const VALUE_OF_TYPE: Record<string, Arb> = {
  string: fc.oneof(fc.constantFrom('', '1', 'true', 'null', 'x'), fc.string({ maxLength: 12 })),
  integer: fc.oneof(fc.constantFrom(0, -1, 1), fc.integer()),
  number: fc.oneof(fc.constantFrom(0.5, -1.25, 1e-7), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n))),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(anyJson, { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 }),
}

/** Values of every JSON type but the allowed ones (an integer is also a number). */
function wrongType(allowed: string[]): Arb | undefined {
  const ok = new Set(allowed)
  if (ok.has('number')) ok.add('integer')
  const others = Object.keys(VALUE_OF_TYPE).filter((type) => !ok.has(type))
  return others.length ? fc.oneof(...others.map((type) => VALUE_OF_TYPE[type]!)) : undefined
}

export interface Options {
  /** Known values (seeded usernames, the real password) mixed into properties of that name. */
  hints?: Record<string, Arb>
  /** A validator: violations of an `anyOf` are drawn from one alternative and kept if no other accepts them. */
  accepts?: (schema: JsonSchema, value: unknown) => boolean
}

/** Arbitraries for the values a JSON Schema accepts and rejects; `resolve` turns a `$ref` into its schema. */
export function schemaArbitraries(resolve: (ref: string) => JsonSchema, { hints = {}, accepts }: Options = {}): SchemaArbitraries {
  function deref(s: JsonSchema): JsonSchema {
    let out = s
    while (out.$ref) {
      const { $ref, ...siblings } = out
      out = { ...resolve($ref), ...siblings }
    }
    return out
  }

  function integer(s: JsonSchema): Arb {
    const b = bounds(s, INT32_MIN, INT32_MAX)
    const min = Math.max(INT32_MIN, Math.ceil(b.openMin ? b.min + 1 : b.min))
    const max = Math.min(INT32_MAX, Math.floor(b.openMax ? b.max - 1 : b.max))
    // Mostly near the bottom of the range, where the seeded rows' ids are.
    return fc.oneof(fc.integer({ min, max: Math.min(max, min + 12) }), fc.integer({ min, max }), fc.constantFrom(min, max))
  }

  function number(s: JsonSchema): Arb {
    const b = bounds(s, -1e9, 1e9)
    const places = s['x-decimal-places']
    if (places === undefined) {
      return fc.oneof(fc.double({ min: b.min, max: b.max, noNaN: true, minExcluded: b.openMin, maxExcluded: b.openMax }), integer(s))
    }
    const scale = 10 ** places
    const lo = scaled(b.min, scale, Math.ceil) + (b.openMin ? 1 : 0)
    const hi = scaled(b.max, scale, Math.floor) - (b.openMax ? 1 : 0)
    const units = fc.oneof(
      fc.bigInt({ min: BigInt(lo), max: BigInt(hi) }).map(Number),
      fc.bigInt({ min: BigInt(lo), max: BigInt(Math.min(hi, lo + 100_000)) }).map(Number),
      fc.constantFrom(lo, hi),
    )
    // An integer count of 1/scale divided by scale is the double nearest the decimal: its text has <= places decimals.
    return units.map((n) => n / scale)
  }

  function string(s: JsonSchema): Arb {
    const min = s.minLength ?? 0
    const max = s.maxLength ?? min + 40
    const fits = (v: string) => codePoints(v) >= min && codePoints(v) <= max
    if (s.format === 'email') return fc.emailAddress({ size: 'small' }).filter(fits)
    if (s.format === 'uuid') return fc.uuid()
    if (s.format === 'date-time') {
      const range = { min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }
      return fc.date(range).map((d) => d.toISOString())
    }
    const short = Math.min(max, min + 24)
    const any = fc.oneof(
      fc.string({ unit: 'binary-ascii', minLength: min, maxLength: short }),
      fc.string({ unit: 'binary', minLength: min, maxLength: short }),
      fc.string({ unit: 'grapheme-ascii', minLength: max, maxLength: max }),
    )
    if (!s.pattern) return any
    // stringMatching builds mostly printable ASCII; the strings above that happen to match too
    // bring control characters and non-ASCII text to a permissive pattern (such as "no NUL").
    // Half come from stringMatching, which always matches: the filter never starves.
    const re = new RegExp(s.pattern, 'u')
    return fc.oneof(fc.stringMatching(new RegExp(s.pattern)), any).filter((v) => re.test(v) && fits(v))
  }

  function array(s: JsonSchema): Arb {
    const item = valid(s.items ?? {})
    const minLength = s.minItems ?? 0
    const maxLength = Math.min(s.maxItems ?? minLength + 5, minLength + 5)
    if (s.uniqueItems) return fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
    return fc.array(item, { minLength, maxLength })
  }

  function object(s: JsonSchema): Arb {
    const props = s.properties ?? {}
    const model = Object.fromEntries(
      Object.entries(props).map(([name, schema]) => [name, hints[name] ? fc.oneof(hints[name], valid(schema)) : valid(schema)]),
    )
    let arb: fc.Arbitrary<Json> = fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) })
    if (s.additionalProperties !== false) {
      const extra = s.additionalProperties === true || s.additionalProperties === undefined ? anyJson : valid(s.additionalProperties)
      const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !(k in props) && k !== '__proto__')
      arb = fc.tuple(arb, fc.option(fc.tuple(key, extra))).map(([o, kv]) => (kv ? { ...o, [kv[0]]: kv[1] } : o))
    }
    const { minProperties = 0, maxProperties = Infinity } = s
    return arb.filter((o) => Object.keys(o).length >= minProperties && Object.keys(o).length <= maxProperties)
  }

  function valid(schema: JsonSchema): Arb {
    const s = deref(schema)
    if ('const' in s) return fc.constant(s.const)
    if (s.enum) return fc.constantFrom(...s.enum)
    const alternatives = s.anyOf ?? s.oneOf
    if (alternatives) {
      const { anyOf: _a, oneOf: _o, ...base } = s
      return fc.oneof(...alternatives.map((alt) => valid(merge(base, deref(alt)))))
    }
    const types = typesOf(s)
    if (!types.length) return anyJson
    return fc.oneof(
      ...types.map((type): Arb => {
        switch (type) {
          case 'null': return fc.constant(null)
          case 'boolean': return fc.boolean()
          case 'integer': return integer(s)
          case 'number': return number(s)
          case 'string': return string(s)
          case 'array': return array(s)
          case 'object': return object(s)
          default: throw new Error(`schema type ${type} is not supported`)
        }
      }),
    )
  }

  function invalidNumber(s: JsonSchema, integerOnly: boolean): Arb[] {
    const out: Arb[] = []
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = s
    if (minimum !== undefined) {
      const below = fc.constantFrom(minimum - 1, minimum - 0.5, -1e300).filter((n) => n < minimum)
      out.push(below, fc.integer({ min: INT32_MIN, max: -1 }).map((n) => minimum + n))
    }
    if (maximum !== undefined) {
      const above = fc.constantFrom(maximum + 1, 2 ** 53, 1e300, Number.MAX_VALUE).filter((n) => n > maximum)
      out.push(above, fc.integer({ min: 1, max: INT32_MAX }).map((n) => maximum + n))
    }
    if (exclusiveMinimum !== undefined) out.push(fc.constant(exclusiveMinimum))
    if (exclusiveMaximum !== undefined) out.push(fc.constant(exclusiveMaximum))
    const lo = minimum ?? exclusiveMinimum ?? 0
    if (integerOnly) out.push(fc.constantFrom(lo + 0.5, lo + 1.000001))
    const places = s['x-decimal-places']
    if (places !== undefined) {
      const tooFine = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: places + 1, max: places + 6 }), fc.integer({ min: 1, max: 9 }))
      out.push(tooFine.map(([whole, digits, last]) => lo + whole + last / 10 ** digits).filter((n) => !decimalsOk(n, places)))
    }
    return out
  }

  function invalidString(s: JsonSchema): Arb[] {
    const out: Arb[] = []
    const { minLength = 0, maxLength } = s
    if (maxLength !== undefined) {
      out.push(
        fc.string({ unit: 'binary', minLength: maxLength + 1, maxLength: maxLength + 40 }),
        fc.constant('x'.repeat(Math.max(10_000, maxLength * 20))),
      )
    }
    if (minLength > 0) out.push(fc.string({ unit: 'binary', maxLength: minLength - 1 }))
    if (s.pattern) {
      const re = new RegExp(s.pattern, 'u')
      out.push(fc.string({ unit: 'binary', minLength: Math.max(minLength, 1), maxLength: maxLength ?? minLength + 20 }).filter((v) => !re.test(v)))
    }
    const badFormats: Record<string, string[]> = {
      email: ['not-an-email', 'a@', '@example.com', 'a b@example.com', 'a@@example.com'],
      uuid: [
        'not-a-uuid',
        '1234',
        '00000000000000000000000000000000',
        '{00000000-0000-0000-0000-000000000000}',
        '00000000-0000-0000-0000-00000000000g',
      ],
      'date-time': ['yesterday', '2024-13-01T00:00:00Z', '2024-01-01'],
    }
    const bad = s.format ? badFormats[s.format] : undefined
    if (bad) out.push(fc.constantFrom(...bad))
    return out
  }

  function invalidArray(s: JsonSchema): Arb[] {
    const item = valid(s.items ?? {})
    const out: Arb[] = []
    if (s.maxItems !== undefined) out.push(fc.array(item, { minLength: s.maxItems + 1, maxLength: s.maxItems + 3 }))
    if (s.minItems) out.push(fc.array(item, { maxLength: s.minItems - 1 }))
    if (s.uniqueItems && (s.maxItems ?? 2) >= 2) out.push(item.map((v) => [v, v]))
    if (s.items) out.push(fc.tuple(fc.array(item, { maxLength: 2 }), invalid(s.items)).map(([ok, bad]) => [...ok, bad]))
    return out
  }

  function invalidObject(s: JsonSchema): Arb[] {
    const props = s.properties ?? {}
    const base = valid(s) as fc.Arbitrary<Json>
    const out: Arb[] = []
    const required = s.required ?? []
    if (required.length) {
      out.push(fc.tuple(base, fc.constantFrom(...required)).map(([o, key]) => omit(o, [key])))
    }
    // `anyOf: [{ required: [a] }, { required: [b] }]`: none of the alternatives present.
    const alternatives = (s.anyOf ?? s.oneOf ?? []).flatMap((alt) => deref(alt).required ?? [])
    if (alternatives.length) out.push(base.map((o) => omit(o, alternatives)))
    if (s.additionalProperties === false) {
      const names = fc.oneof(fc.constantFrom('id', 'is_admin', 'roles', 'created_at', 'extra'), fc.string({ minLength: 1, maxLength: 8 }))
      const key = names.filter((k) => !(k in props))
      out.push(fc.tuple(base, key, anyJson).map(([o, k, v]) => ({ ...o, [k]: v })))
    }
    for (const [name, schema] of Object.entries(props)) {
      out.push(fc.tuple(base, invalid(schema)).map(([o, bad]) => ({ ...o, [name]: bad })))
    }
    if (s.minProperties) out.push(fc.constant({}))
    return out
  }

  function invalid(schema: JsonSchema): Arb {
    const s = deref(schema)
    const options: Arb[] = []
    const allowed = 'const' in s ? [s.const] : s.enum
    if (allowed) {
      const text = allowed.map((v) => JSON.stringify(v))
      options.push(fc.oneof(VALUE_OF_TYPE.string!, anyJson).filter((v) => !text.includes(JSON.stringify(v))))
    }
    const types = typesOf(s)
    const alternatives = s.anyOf ?? s.oneOf
    if (alternatives && !types.length) {
      const { anyOf: _a, oneOf: _o, ...base } = s
      const any = fc.oneof(...alternatives.map((alt) => invalid(merge(base, deref(alt)))))
      options.push(accepts ? any.filter((v) => !accepts(s, v)) : any)
    }
    for (const type of types) {
      if (type === 'integer' || type === 'number') options.push(...invalidNumber(s, type === 'integer'))
      if (type === 'string') options.push(...invalidString(s))
      if (type === 'array') options.push(...invalidArray(s))
      if (type === 'object') options.push(...invalidObject(s))
    }
    const other = types.length ? wrongType(types) : undefined
    if (other) options.push(other)
    if (!options.length) throw new Error(`no way to violate ${JSON.stringify(s)}`)
    return fc.oneof(...options)
  }

  return { valid, invalid }
}

function omit(o: Json, keys: string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))
}
