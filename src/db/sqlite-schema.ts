import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// Names are unique regardless of case: each has a `*_key` column holding its
// lower-cased form, so uniqueness is one index on any database.

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull(),
  usernameKey: text('username_key').notNull().unique(),
  email: text('email'),
  emailKey: text('email_key').unique(),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Whether a link mailed to `email` was followed (or a reset link was, which proves the same). */
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
})

export const stores = sqliteTable('stores', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  nameKey: text('name_key').notNull().unique(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

export const items = sqliteTable(
  'items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    priceCents: integer('price_cents').notNull(),
    storeId: integer('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('items_store_name_key').on(t.storeId, t.nameKey)],
)

/**
 * One row per login. A token is valid only while its session row exists: revoking a
 * session deletes the row, so revocations are durable and shared by every instance
 * using the database, and expired rows are pruned.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The only refresh token of this session that may still be used; older ones are retired. */
    refreshJti: text('refresh_jti').notNull(),
    /** The refresh token the last rotation retired, and when: reusable for JWT_REFRESH_REUSE_INTERVAL. */
    previousRefreshJti: text('previous_refresh_jti'),
    rotatedAt: integer('rotated_at', { mode: 'timestamp_ms' }),
    userAgent: text('user_agent'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('sessions_user_id').on(t.userId), index('sessions_expires_at').on(t.expiresAt)],
)

/**
 * The last id POST gave out per table (`items`, `stores`). New ids continue from it and skip
 * ids already taken (PUT /item/{id} picks its own), so no id a client chose can stop creation.
 */
export const idCounters = sqliteTable('id_counters', {
  name: text('name').primaryKey(),
  lastId: integer('last_id').notNull(),
})

/**
 * The key pairs of JWT_ALGORITHM=EdDSA|ES256|RS256, shared by every instance. The private key
 * is sealed (AES-256-GCM, seal.ts); the public JWK is kept as JSON text. `generation` counts
 * rotations and is unique: of two instances creating or rotating at once, one insert wins.
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  generation: integer('generation').notNull().unique(),
  alg: text('alg').notNull(),
  publicJwk: text('public_jwk').notNull(),
  sealedPrivateKey: text('sealed_private_key').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  retiredAt: integer('retired_at', { mode: 'timestamp_ms' }),
  verifyUntil: integer('verify_until', { mode: 'timestamp_ms' }),
})

/**
 * The links of verification and password-reset mails. Only each token's SHA-256 is kept, so
 * a copy of the database opens no account. A link works once, until `expires_at`, while the
 * account still has the address it was sent to, and until a newer link of its kind
 * supersedes it.
 */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['verify_email', 'password_reset'] }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    emailKey: text('email_key').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    supersededAt: integer('superseded_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('email_tokens_user_kind').on(t.userId, t.kind), index('email_tokens_expires_at').on(t.expiresAt)],
)

/**
 * Mails to send, written in the transaction that makes their link, deleted once sent. The
 * payload is sealed (AES-256-GCM, see seal.ts): a mail with its link, or a password-reset
 * request's address. A sender claims a row by moving `available_at` past its lease under a
 * new `lease_id`; a failed attempt moves it to the next retry; `failed` rows are given up.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['mail', 'password_reset_request'] }).notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    availableAt: integer('available_at', { mode: 'timestamp_ms' }).notNull(),
    leaseId: text('lease_id'),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('outbox_due').on(t.status, t.availableAt)],
)
