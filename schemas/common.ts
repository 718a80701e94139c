import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** A `$ref` to a shared schema that keeps the referenced schema's static type. */
export function ref<T extends TSchema>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

/** The largest id: users, stores and items have ids from 1 to this (PostgreSQL's `integer`). */
export const MAX_ID = 2147483647

export const IdParam = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: MAX_ID, description: `Resource id (1 to ${MAX_ID}).`, examples: [1] }),
  },
)

/**
 * A `pattern` for names and name filters: no NUL character (U+0000). PostgreSQL text cannot
 * hold one, so neither database takes it; any other character is fine.
 */
export const NO_NUL = '^[^\\u0000]*$'

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC time.' })

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ID, default: 0, description: 'Rows to skip.' })),
  },
)
export type PageQuery = Static<typeof PageQuery>

/** The page a validated query asks for (Ajv has filled the defaults; this keeps TypeScript sure of it). */
export const pageOf = (q: PageQuery) => ({ limit: q.limit ?? 20, offset: q.offset ?? 0 })

const pageFields = {
  total: Type.Integer({ minimum: 0, description: 'Rows matching the query, across all pages.' }),
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
  offset: Type.Integer({ minimum: 0 }),
}

/** An example time for the documentation. */
export const EXAMPLE_TIME = '2025-01-15T09:30:00.000Z'

/**
 * The pagination envelope every list route returns. Its documented example is a one-row page
 * built from the item schema's own example (and `extra`'s, for fields such as `message`).
 */
export function Page<T extends TSchema>(item: T, $id: string, extra: Record<string, TSchema> = {}) {
  const row = (item.examples as unknown[] | undefined)?.[0]
  const extraExample = Object.fromEntries(Object.entries(extra).map(([key, schema]) => [key, (schema.examples as unknown[] | undefined)?.[0]]))
  return Type.Object(
    { data: Type.Array(ref(item)), ...pageFields, ...extra },
    {
      $id,
      additionalProperties: false,
      examples: [{ data: row === undefined ? [] : [row], total: 1, limit: 20, offset: 0, ...extraExample }],
    },
  )
}

export const Message = Type.Object(
  { message: Type.String({ examples: ['Done.'] }) },
  { $id: 'Message', additionalProperties: false, examples: [{ message: 'Done.' }] },
)

export const Root = Type.Object(
  {
    name: Type.String({ examples: ['stores-api'] }),
    version: Type.String({ examples: ['1.0.0'] }),
    status: Type.Literal('ok'),
    docs: Type.Literal('/docs'),
  },
  {
    $id: 'Root',
    additionalProperties: false,
    examples: [{ name: 'stores-api', version: '1.0.0', status: 'ok', docs: '/docs' }],
  },
)

export const Health = Type.Object(
  { status: Type.Literal('ok'), database: Type.Literal('ok') },
  { $id: 'Health', additionalProperties: false, examples: [{ status: 'ok', database: 'ok' }] },
)
