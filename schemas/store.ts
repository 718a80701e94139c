import { Type, type Static } from '@sinclair/typebox'
import { EXAMPLE_TIME, NO_NUL, Page, PageQuery, Timestamp, ref } from './common.js'
import { Item, ITEM_EXAMPLE } from './item.js'

export const StoreName = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: NO_NUL,
  description: '1 to 80 characters, any but NUL (U+0000); unique regardless of case.',
  examples: ['Corner Shop'],
})

export const Store = Type.Object(
  { id: Type.Integer({ examples: [1] }), name: Type.String({ examples: ['Corner Shop'] }), created_at: Timestamp },
  { $id: 'Store', additionalProperties: false, examples: [{ id: 1, name: 'Corner Shop', created_at: EXAMPLE_TIME }] },
)
export type Store = Static<typeof Store>

export const StoreWithItems = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    name: Type.String({ examples: ['Corner Shop'] }),
    created_at: Timestamp,
    items: Type.Array(ref(Item)),
  },
  {
    $id: 'StoreWithItems',
    additionalProperties: false,
    description: 'A store with all of its items.',
    examples: [{ id: 1, name: 'Corner Shop', created_at: EXAMPLE_TIME, items: [ITEM_EXAMPLE] }],
  },
)
export type StoreWithItems = Static<typeof StoreWithItems>

export const StoreCreate = Type.Object(
  { name: StoreName },
  { $id: 'StoreCreate', additionalProperties: false, examples: [{ name: 'Corner Shop' }] },
)
export type StoreCreate = Static<typeof StoreCreate>

export const StoreQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      name: Type.Optional(
        Type.String({ minLength: 1, maxLength: 80, pattern: NO_NUL, description: 'Case-insensitive substring of the name (no NUL).' }),
      ),
    }),
  ],
)
export type StoreQuery = Static<typeof StoreQuery>

export const StoresPage = Page(Store, 'StoresPage')
