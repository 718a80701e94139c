import { and, asc, count, eq, ne, sql } from 'drizzle-orm'
import { constraintOf, type Db } from '../../db/sqlite.js'
import { users } from '../../db/sqlite-schema.js'
import { ConflictError } from '../errors.js'
import { isAdmin, nameKey } from '../mapping.js'
import type { UserRow, UsersRepository } from '../types.js'

/** Turns a unique-index violation into the ConflictError naming the field; rethrows anything else. */
export function uniqueConflict(err: unknown): never {
  if (constraintOf(err) === 'SQLITE_CONSTRAINT_UNIQUE') {
    const field = String((err as { cause?: { message?: string } }).cause?.message ?? err).includes('email')
      ? 'email'
      : 'username'
    throw new ConflictError(`That ${field} is already taken.`)
  }
  throw err
}

export function usersRepository(db: Db): UsersRepository {
  const byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare()

  /** Active admins other than `id`: the last one may not lose admin rights. */
  function otherActiveAdmins(tx: Pick<Db, 'select'>, id: number) {
    return tx
      .select({ id: users.id, roles: users.roles })
      .from(users)
      .where(and(eq(users.isActive, true), ne(users.id, id)))
      .all()
      .filter(isAdmin).length
  }

  return {
    async create(input) {
      try {
        // IMMEDIATE: two first registrations at once still make one admin.
        return db.transaction(
          (tx) => {
            const anyone = tx.select({ id: users.id }).from(users).limit(1).get()
            const roles = input.roles ?? (!anyone && input.firstUserIsAdmin ? ['admin', 'user'] : ['user'])
            return tx
              .insert(users)
              .values({
                username: input.username,
                usernameKey: nameKey(input.username),
                email: input.email ?? null,
                emailKey: input.email ? nameKey(input.email) : null,
                passwordHash: input.passwordHash,
                roles,
                isActive: true,
                createdAt: new Date(),
              })
              .returning()
              .get()
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        uniqueConflict(err)
      }
    },

    async findById(id): Promise<UserRow | undefined> {
      return byId.get({ id })
    },

    async findByLogin(login) {
      const column = login.includes('@') ? users.emailKey : users.usernameKey
      return db.select().from(users).where(eq(column, nameKey(login))).get()
    },

    async list(limit, offset) {
      const rows = db.select().from(users).orderBy(asc(users.id)).limit(limit).offset(offset).all()
      const total = db.select({ n: count() }).from(users).get()?.n ?? 0
      return { rows, total }
    },

    async setPasswordHash(id, passwordHash) {
      db.update(users).set({ passwordHash }).where(eq(users.id, id)).run()
    },

    async update(id, patch) {
      return db.transaction(
        (tx) => {
          const current = tx.select().from(users).where(eq(users.id, id)).get()
          if (!current) return undefined
          const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }
          const losesAdmin = isAdmin(current) && current.isActive && !(isAdmin(next) && next.isActive)
          if (losesAdmin && otherActiveAdmins(tx, id) === 0) {
            throw new ConflictError('The last active admin cannot be demoted or deactivated.')
          }
          return tx
            .update(users)
            .set({ roles: next.roles, isActive: next.isActive })
            .where(eq(users.id, id))
            .returning()
            .get()
        },
        { behavior: 'immediate' },
      )
    },

    async delete(id) {
      return db.transaction(
        (tx) => {
          const current = tx.select().from(users).where(eq(users.id, id)).get()
          if (!current) return false
          if (isAdmin(current) && current.isActive && otherActiveAdmins(tx, id) === 0) {
            throw new ConflictError('The last active admin cannot be deleted.')
          }
          tx.delete(users).where(eq(users.id, id)).run()
          return true
        },
        { behavior: 'immediate' },
      )
    },
  }
}
