import type { User } from '../../schemas/user.js'
import type { Session } from '../../schemas/auth.js'
import type { Store } from '../../schemas/store.js'
import type { Item } from '../../schemas/item.js'
import { MAX_ID } from '../../schemas/common.js'
import type { ItemListQuery, ItemRow, SessionRow, StoreRow, UserRow } from './types.js'

// Dialect-neutral: how rows become API shapes, and the rules both databases share.

export { MAX_ID }

/** The form names are compared in: unique and searched regardless of case. */
export const nameKey = (name: string) => name.normalize('NFC').toLowerCase()

/** The LIKE pattern `%text%`, with LIKE's wildcards in `text` taken literally (see sql.ts). */
export const containsPattern = (text: string) => `%${nameKey(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export const iso = (d: Date) => d.toISOString()

export const isAdmin = (row: Pick<UserRow, 'roles'>) => row.roles.includes('admin')

/** Prices travel as JSON numbers with at most two decimals and are stored as integer cents. */
export const toCents = (price: number) => Math.round(price * 100)
export const fromCents = (cents: number) => cents / 100

export function publicUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    roles: row.roles,
    is_admin: isAdmin(row),
    is_active: row.isActive,
    created_at: iso(row.createdAt),
    email_verified: row.email !== null && row.emailVerified,
  }
}

export function publicSession(row: SessionRow, currentSid: string | undefined): Session {
  return {
    id: row.id,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    expires_at: iso(row.expiresAt),
    user_agent: row.userAgent,
    current: row.id === currentSid,
  }
}

export const publicStore = (row: StoreRow): Store => ({ id: row.id, name: row.name, created_at: iso(row.createdAt) })

export const publicItem = (row: ItemRow): Item => ({
  id: row.id,
  name: row.name,
  price: fromCents(row.priceCents),
  store_id: row.storeId,
  created_at: iso(row.createdAt),
})

/** ISO 8601 texts of recent times in milliseconds: items' `created_at`, read again and again. */
const isoTexts = new Map<number, string>()
const isoOfMs = (ms: number) => {
  let text = isoTexts.get(ms)
  if (text === undefined) {
    if (isoTexts.size >= 10_000) isoTexts.clear()
    isoTexts.set(ms, (text = new Date(ms).toISOString()))
  }
  return text
}

/**
 * An item's JSON text from its raw values (id, name, price in cents, store id, created_at in
 * ms), as the Item schema's serializer would write it (test/item-json.test.ts checks that).
 */
export const itemJsonText = ([id, name, cents, storeId, createdAt]: readonly [number, string, number, number, number, ...unknown[]]) =>
  `{"id":${id},"name":${JSON.stringify(name)},"price":${fromCents(cents)},"store_id":${storeId},"created_at":"${isoOfMs(createdAt)}"}`

/** What POST answers (409) when every id from 1 to MAX_ID is really in use. */
export const noIdLeft = (what: string) => `Every ${what} id from 1 to ${MAX_ID} is in use.`

/**
 * GET /item's statements for a query, prepared on first use for its combination of filters
 * (by store, by name; `prepare` makes them for one dialect), with the query's parameters: those
 * of the total, and those of the page.
 */
export function listStatements<L>(prepare: (byStore: boolean, byName: boolean) => L) {
  const lists = new Map<string, L>()
  return (q: ItemListQuery) => {
    const byStore = q.store_id !== undefined
    const byName = Boolean(q.name)
    const key = `${byStore}${byName}`
    let list = lists.get(key)
    if (!list) lists.set(key, (list = prepare(byStore, byName)))
    const params = { storeId: q.store_id, pattern: q.name ? containsPattern(q.name) : undefined }
    return { list, params, page: { ...params, limit: q.limit, offset: q.offset } }
  }
}
