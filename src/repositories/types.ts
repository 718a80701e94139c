import type { Item } from '../../schemas/item.js'
import type { Store } from '../../schemas/store.js'

// The one data-access interface routes and plugins see. Two implementations:
// SQLite (src/repositories/*.ts) and PostgreSQL (src/repositories/postgres/*.ts);
// src/plugins/app/db.ts picks one from DATABASE_URL. Both keep the same rules:
// names unique regardless of case (409), one first admin, never no active admin,
// refresh rotation as one compare-and-set.

export interface UserRow {
  id: number
  username: string
  usernameKey: string
  email: string | null
  emailKey: string | null
  passwordHash: string
  roles: string[]
  isActive: boolean
  createdAt: Date
}

export interface SessionRow {
  id: string
  userId: number
  /** The only refresh token of this session that may still be used; older ones are retired. */
  refreshJti: string
  userAgent: string | null
  createdAt: Date
  lastUsedAt: Date
  expiresAt: Date
}

export interface Page<T> {
  data: T[]
  total: number
}

export interface UsersRepository {
  /** The first user (when `firstUserIsAdmin`) gets admin, even when two register at once. 409 when taken. */
  create(input: { username: string; email?: string; passwordHash: string; firstUserIsAdmin: boolean }): Promise<UserRow>
  findById(id: number): Promise<UserRow | undefined>
  /** By username, or by email when the login contains `@`. */
  findByLogin(login: string): Promise<UserRow | undefined>
  list(limit: number, offset: number): Promise<{ rows: UserRow[]; total: number }>
  setPasswordHash(id: number, passwordHash: string): Promise<void>
  /** Applies roles / is_active; refuses (409) to leave no active admin. Undefined when absent. */
  update(id: number, patch: { roles?: string[]; isActive?: boolean }): Promise<UserRow | undefined>
  /** Deletes the user (sessions go with it); refuses (409) to delete the last active admin. */
  delete(id: number): Promise<boolean>
}

export interface SessionsRepository {
  /** The user and the token's session (null once revoked or pruned); undefined when the user is gone. */
  authLookup(userId: number, sid: string): Promise<{ user: UserRow; session: SessionRow | null } | undefined>
  create(row: SessionRow): Promise<void>
  touch(sid: string, now: Date): Promise<void>
  /** Retires `oldJti` for `newJti` atomically: of two refreshes with one token, exactly one gets `true`. */
  rotate(sid: string, oldJti: string, newJti: string, now: Date): Promise<boolean>
  revoke(sid: string, userId?: number): Promise<boolean>
  /** Revokes every session of the user, but `keepSid` when given. Returns how many. */
  revokeAllForUser(userId: number, keepSid?: string): Promise<number>
  listForUser(userId: number, now: Date, limit: number, offset: number): Promise<{ rows: SessionRow[]; total: number }>
  /** Deletes sessions past their expiry. Returns how many. */
  pruneExpired(now: Date): Promise<number>
}

export interface StoresRepository {
  list(q: { limit: number; offset: number; name?: string | undefined }): Promise<Page<Store>>
  getWithItems(id: number): Promise<(Store & { items: Item[] }) | undefined>
  /** 409 when the name is taken (regardless of case). */
  create(name: string): Promise<Store>
  /** Deletes the store and its items. */
  delete(id: number): Promise<boolean>
}

export type ItemListQuery = { limit: number; offset: number; name?: string | undefined; store_id?: number | undefined }

export interface ItemsRepository {
  list(q: ItemListQuery): Promise<Page<Item>>
  /** Only id and name of each item: the anonymous view of GET /item. */
  listSummaries(q: ItemListQuery): Promise<Page<{ id: number; name: string }>>
  get(id: number): Promise<Item | undefined>
  /** 404 when the store does not exist, 409 when the store already has an item of that name. */
  create(input: { name: string; price: number; store_id: number }): Promise<Item>
  /**
   * Updates item `id`, or creates it with that id when absent (then `store_id` is required:
   * undefined without it). Same errors as `create`.
   */
  put(id: number, input: { name: string; price: number; store_id?: number | undefined }): Promise<{ item: Item; created: boolean } | undefined>
  delete(id: number): Promise<boolean>
}

export interface Repositories {
  users: UsersRepository
  sessions: SessionsRepository
  stores: StoresRepository
  items: ItemsRepository
}
