import { Type, type Static } from '@sinclair/typebox'
import { EXAMPLE_TIME, MAX_ID, NO_NUL, Page, PageQuery, Timestamp } from './common.js'

export const MAX_PRICE = 999999999.99

export const Price = Type.Number({
  minimum: 0,
  maximum: MAX_PRICE,
  'x-decimal-places': 2,
  description: 'From 0 to 999999999.99 with at most two decimal places; stored exactly (as cents).',
  examples: [19.99],
})

export const ItemName = Type.String({
  minLength: 1,
  maxLength: 80,
  pattern: NO_NUL,
  description: '1 to 80 characters, any but NUL (U+0000); unique within its store regardless of case.',
  examples: ['Chair'],
})

const StoreId = Type.Integer({ minimum: 1, maximum: MAX_ID, examples: [1] })

export const ITEM_EXAMPLE = { id: 1, name: 'Chair', price: 19.99, store_id: 1, created_at: EXAMPLE_TIME }

export const Item = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    name: Type.String({ examples: ['Chair'] }),
    price: Type.Number({ examples: [19.99] }),
    store_id: Type.Integer({ examples: [1] }),
    created_at: Timestamp,
  },
  { $id: 'Item', additionalProperties: false, examples: [ITEM_EXAMPLE] },
)
export type Item = Static<typeof Item>

export const ItemSummary = Type.Object(
  { id: Type.Integer({ examples: [1] }), name: Type.String({ examples: ['Chair'] }) },
  {
    $id: 'ItemSummary',
    additionalProperties: false,
    description: 'What an anonymous caller sees of an item.',
    examples: [{ id: 1, name: 'Chair' }],
  },
)
export type ItemSummary = Static<typeof ItemSummary>

export const ItemCreate = Type.Object(
  { name: ItemName, price: Price, store_id: StoreId },
  { $id: 'ItemCreate', additionalProperties: false, examples: [{ name: 'Chair', price: 19.99, store_id: 1 }] },
)
export type ItemCreate = Static<typeof ItemCreate>

export const ItemPut = Type.Object(
  { name: ItemName, price: Price, store_id: Type.Optional(StoreId) },
  {
    $id: 'ItemPut',
    additionalProperties: false,
    description: '`store_id` moves an existing item; it is required when the item does not exist yet.',
    examples: [{ name: 'Chair', price: 24.5, store_id: 1 }],
  },
)
export type ItemPut = Static<typeof ItemPut>

export const ItemQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      store_id: Type.Optional(StoreId),
      name: Type.Optional(
        Type.String({ minLength: 1, maxLength: 80, pattern: NO_NUL, description: 'Case-insensitive substring of the name (no NUL).' }),
      ),
    }),
  ],
)
export type ItemQuery = Static<typeof ItemQuery>

export const ItemsPage = Page(Item, 'ItemsPage')

export const ItemSummariesPage = Page(ItemSummary, 'ItemSummariesPage', {
  message: Type.String({ examples: ['Log in to see prices and stores.'] }),
})
