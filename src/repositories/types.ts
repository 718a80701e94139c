import type { Item, ItemSummary } from '../../schemas/item.js'
import type { Store, StoreWithItems } from '../../schemas/store.js'

// The one data-access contract routes and plugins see. Two implementations, siblings:
// sqlite/ and postgres/, each assembled by its index.ts; index.ts here picks one from the
// database handle. Both keep the same rules: names unique regardless of case, one first
// admin, never no active admin, refresh rotation as one compare-and-set. They return values
// or throw the domain errors of errors.ts, never HTTP errors.

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
  emailVerified: boolean
}

export interface SessionRow {
  id: string
  userId: number
  /** The only refresh token of this session that may still be used; older ones are retired. */
  refreshJti: string
  /** The refresh token the last rotation retired, and when (JWT_REFRESH_REUSE_INTERVAL). */
  previousRefreshJti: string | null
  rotatedAt: Date | null
  userAgent: string | null
  createdAt: Date
  lastUsedAt: Date
  expiresAt: Date
}

export interface StoreRow {
  id: number
  name: string
  nameKey: string
  createdAt: Date
}

export interface ItemRow {
  id: number
  name: string
  nameKey: string
  priceCents: number
  storeId: number
  createdAt: Date
}

/** A key pair of JWT_ALGORITHM=EdDSA|ES256|RS256. The current key is the one not retired. */
export interface SigningKeyRow {
  kid: string
  /** Counts rotations; unique, so that of two instances rotating at once only one wins. */
  generation: number
  alg: string
  /** The public JWK, as JSON text. */
  publicJwk: string
  /** The private key (PKCS#8 PEM) sealed by seal.ts, with the kid as context. */
  sealedPrivateKey: string
  createdAt: Date
  /** When it stopped signing; null for the current key. */
  retiredAt: Date | null
  /** When the last token it signed has expired: then it verifies nothing and is deleted. */
  verifyUntil: Date | null
}

export interface Page<T> {
  data: T[]
  total: number
}

export interface UserCreateInput {
  username: string
  email?: string
  passwordHash: string
  firstUserIsAdmin: boolean
  /** Operator tooling (`npm run user:create -- --admin`): these roles instead of the first-user rule. */
  roles?: string[]
}

export interface UsersRepository {
  /** The first user (when `firstUserIsAdmin`) gets admin, even when two register at once. ConflictError when taken. */
  create(input: UserCreateInput): Promise<UserRow>
  findById(id: number): Promise<UserRow | undefined>
  /** By username, or by email when the login contains `@`. */
  findByLogin(login: string): Promise<UserRow | undefined>
  list(limit: number, offset: number): Promise<{ rows: UserRow[]; total: number }>
  setPasswordHash(id: number, passwordHash: string): Promise<void>
  /** Applies roles / is_active; ConflictError rather than leave no active admin. Undefined when absent. */
  update(id: number, patch: { roles?: string[] | undefined; isActive?: boolean | undefined }): Promise<UserRow | undefined>
  /** Deletes the user (sessions go with it); ConflictError for the last active admin. False when absent. */
  delete(id: number): Promise<boolean>
}

export interface SessionsRepository {
  /** The user and the token's session (null once revoked or pruned); undefined when the user is gone. */
  authLookup(userId: number, sid: string): Promise<{ user: UserRow; session: SessionRow | null } | undefined>
  create(row: SessionRow): Promise<void>
  touch(sid: string, now: Date): Promise<void>
  /**
   * Retires `oldJti` for `newJti` atomically (remembering `oldJti` and the time as the previous
   * token): of two refreshes with one token, exactly one gets `true`.
   */
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
  getWithItems(id: number): Promise<StoreWithItems | undefined>
  /** ConflictError when the name is taken (regardless of case). */
  create(name: string): Promise<Store>
  /** Deletes the store and its items. */
  delete(id: number): Promise<boolean>
}

export type ItemListQuery = { limit: number; offset: number; name?: string | undefined; store_id?: number | undefined }

export interface ItemInput {
  name: string
  price: number
  store_id: number
}

export interface ItemsRepository {
  list(q: ItemListQuery): Promise<Page<Item>>
  /** Only id and name of each item: the anonymous view of GET /item. */
  listSummaries(q: ItemListQuery): Promise<Page<ItemSummary>>
  get(id: number): Promise<Item | undefined>
  /** MissingError when the store does not exist, ConflictError when it has an item of that name. */
  create(input: ItemInput): Promise<Item>
  /**
   * Updates item `id`, or creates it with that id when absent (then `store_id` is required:
   * undefined without it). Same errors as `create`.
   */
  put(id: number, input: Omit<ItemInput, 'store_id'> & { store_id?: number | undefined }): Promise<{ item: Item; created: boolean } | undefined>
  delete(id: number): Promise<boolean>
}

export interface SigningKeysRepository {
  list(): Promise<SigningKeyRow[]>
  /**
   * Makes `row` the current key, in one transaction: retires `previousKid` (with `retire`'s
   * times) and inserts `row`. False, changing nothing, when another instance got there first:
   * `previousKid` is no longer current, or `row.generation` is taken.
   */
  install(row: SigningKeyRow, previousKid: string | null, retire: { at: Date; verifyUntil: Date }): Promise<boolean>
  /** Deletes the keys past their verifyUntil. Returns how many. */
  deleteExpired(now: Date): Promise<number>
}

export type EmailLinkKind = 'verify_email' | 'password_reset'

/** A new link of a mail: the hash of its token, never the token. */
export interface EmailLinkInput {
  userId: number
  kind: EmailLinkKind
  tokenHash: string
  /** The address it goes to (its `nameKey`): the link works only while the account has it. */
  emailKey: string
  expiresAt: Date
}

export type OutboxKind = 'mail' | 'password_reset_request'

/** An outbox row as written: its id is part of the sealed payload's authenticated context. */
export interface OutboxInput {
  id: string
  kind: OutboxKind
  payload: string
}

export interface OutboxRow extends OutboxInput {
  status: 'pending' | 'failed'
  /** Attempts made, this one included once claimed. */
  attempts: number
  availableAt: Date
  leaseId: string | null
  lastError: string | null
  createdAt: Date
}

export interface EmailLinksRepository {
  /** Supersedes the user's unused links of the kind, stores the new one and queues its mails: one transaction. */
  issue(link: EmailLinkInput, mails: OutboxInput[], now: Date): Promise<void>
  /** Uses a valid verification link and marks the email verified; undefined for a bad link. */
  verifyEmail(tokenHash: string, now: Date): Promise<UserRow | undefined>
  /**
   * Uses a valid reset link: sets the password hash, marks the email verified and revokes
   * every session. 'inactive' (the link stays unused) for a deactivated user, undefined for a bad link.
   */
  resetPassword(tokenHash: string, passwordHash: string, now: Date): Promise<{ user: UserRow; revokedSessions: number } | 'inactive' | undefined>
  /**
   * Sets a new, unverified email, supersedes every unused link of the user, and stores the
   * new verification link with its mails: one transaction. ConflictError when the email is taken.
   */
  changeEmail(userId: number, email: string, link: EmailLinkInput, mails: OutboxInput[], now: Date): Promise<UserRow | undefined>
  /** Deletes links past their expiry. Returns how many. */
  pruneExpired(now: Date): Promise<number>
}

/**
 * The outbox's claims are leases: `claim` gives the due row to one caller under a new
 * `leaseId` until `leaseUntil`; every later write names that lease and does nothing (false)
 * once another caller has taken the row over.
 */
export interface OutboxRepository {
  add(row: OutboxInput, now: Date): Promise<void>
  /** The oldest due pending row, claimed atomically (one caller gets it), with `attempts` counted. */
  claim(leaseId: string, now: Date, leaseUntil: Date): Promise<OutboxRow | undefined>
  /** Deletes the row: sent, or nothing to send. */
  remove(id: string, leaseId: string): Promise<boolean>
  /** Releases the row until `availableAt` with the attempt's error, or gives it up (`failed`) when `availableAt` is null. */
  release(id: string, leaseId: string, error: string, availableAt: Date | null): Promise<boolean>
  /** Replaces a claimed request by the mail it resolves to, due now, and stores its link: one transaction. */
  resolve(id: string, leaseId: string, link: EmailLinkInput, mailPayload: string, now: Date): Promise<boolean>
  /** Deletes given-up rows older than `before`. Returns how many. */
  pruneFailed(before: Date): Promise<number>
}

export interface Repositories {
  users: UsersRepository
  sessions: SessionsRepository
  stores: StoresRepository
  items: ItemsRepository
  signingKeys: SigningKeysRepository
  emailLinks: EmailLinksRepository
  outbox: OutboxRepository
}
