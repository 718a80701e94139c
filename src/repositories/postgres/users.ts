import { and, asc, count, eq, ne, sql } from 'drizzle-orm'
import { pgErrorOf, type PgDb } from '../../db/postgres.js'
import { users } from '../../db/postgres-schema.js'
import { ConflictError } from '../errors.js'
import { isAdmin, nameKey } from '../mapping.js'
import type { UsersRepository } from '../types.js'

type Tx = Pick<PgDb, 'execute' | 'select'>

/** Turns a unique-index violation into the ConflictError naming the field; rethrows anything else. */
export function uniqueConflict(err: unknown): never {
  const pgError = pgErrorOf(err)
  if (pgError?.code === '23505') {
    throw new ConflictError(`That ${pgError.constraint?.includes('email') ? 'email' : 'username'} is already taken.`)
  }
  throw err
}

/**
 * Serializes the writes whose rule spans every user (the first admin, the last active
 * admin) across connections and instances, until the transaction ends. Keyed by schema.
 */
const lockUsers = (tx: Tx) => tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.users'))`)

/** Active admins other than `id`: the last one may not lose admin rights. */
async function otherActiveAdmins(tx: Tx, id: number) {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.isActive, true), ne(users.id, id), sql`${users.roles} @> '["admin"]'::jsonb`))
  return row?.n ?? 0
}

export function usersRepository(db: PgDb): UsersRepository {
  return {
    async create(input) {
      const values = {
        username: input.username,
        usernameKey: nameKey(input.username),
        email: input.email ?? null,
        emailKey: input.email ? nameKey(input.email) : null,
        passwordHash: input.passwordHash,
        isActive: true,
        createdAt: new Date(),
      }
      try {
        return await db.transaction(async (tx) => {
          const empty = async () => (await tx.select({ id: users.id }).from(users).limit(1)).length === 0
          let first = false
          if (input.roles === undefined && input.firstUserIsAdmin && (await empty())) {
            // Two first registrations at once still make one admin: the one that gets the
            // users lock second sees the other's committed row.
            await lockUsers(tx)
            first = await empty()
          }
          const [row] = await tx
            .insert(users)
            .values({ ...values, roles: input.roles ?? (first ? ['admin', 'user'] : ['user']) })
            .returning()
          return row!
        })
      } catch (err) {
        uniqueConflict(err)
      }
    },

    async findById(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id))
      return row
    },

    async findByLogin(login) {
      // PostgreSQL text cannot hold NUL (binding one fails), and no username or email has one.
      if (login.includes('\0')) return undefined
      const column = login.includes('@') ? users.emailKey : users.usernameKey
      const [row] = await db.select().from(users).where(eq(column, nameKey(login)))
      return row
    },

    async list(limit, offset) {
      const rows = await db.select().from(users).orderBy(asc(users.id)).limit(limit).offset(offset)
      const [total] = await db.select({ n: count() }).from(users)
      return { rows, total: total?.n ?? 0 }
    },

    async setPasswordHash(id, passwordHash) {
      await db.update(users).set({ passwordHash }).where(eq(users.id, id))
    },

    async update(id, patch) {
      return db.transaction(async (tx) => {
        await lockUsers(tx)
        const [current] = await tx.select().from(users).where(eq(users.id, id))
        if (!current) return undefined
        const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }
        const losesAdmin = isAdmin(current) && current.isActive && !(isAdmin(next) && next.isActive)
        if (losesAdmin && (await otherActiveAdmins(tx, id)) === 0) {
          throw new ConflictError('The last active admin cannot be demoted or deactivated.')
        }
        const [row] = await tx
          .update(users)
          .set({ roles: next.roles, isActive: next.isActive })
          .where(eq(users.id, id))
          .returning()
        return row
      })
    },

    async delete(id) {
      return db.transaction(async (tx) => {
        await lockUsers(tx)
        const [current] = await tx.select().from(users).where(eq(users.id, id))
        if (!current) return false
        if (isAdmin(current) && current.isActive && (await otherActiveAdmins(tx, id)) === 0) {
          throw new ConflictError('The last active admin cannot be deleted.')
        }
        await tx.delete(users).where(eq(users.id, id))
        return true
      })
    },
  }
}
