import { and, asc, count, eq, ne, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { constraintOf } from '../db/client.js'
import { users } from '../db/schema.js'
import { conflict } from '../errors.js'
import type { User } from '../../schemas/user.js'
import { iso, nameKey } from './keys.js'

export type UserRow = typeof users.$inferSelect

export const isAdmin = (row: Pick<UserRow, 'roles'>) => row.roles.includes('admin')

export function publicUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    roles: row.roles,
    is_admin: isAdmin(row),
    is_active: row.isActive,
    created_at: iso(row.createdAt),
  }
}

function uniqueConflict(err: unknown): never {
  if (constraintOf(err) === 'SQLITE_CONSTRAINT_UNIQUE') {
    const field = String((err as { cause?: { message?: string } }).cause?.message ?? err).includes('email')
      ? 'email'
      : 'username'
    throw conflict(`That ${field} is already taken.`)
  }
  throw err
}

export function usersRepository(db: Db) {
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
    /** `roles` (operator tooling) overrides the first-user rule. */
    async create(input: { username: string; email?: string; passwordHash: string; firstUserIsAdmin: boolean; roles?: string[] }) {
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

    async findById(id: number): Promise<UserRow | undefined> {
      return byId.get({ id })
    },

    /** By username, or by email when the login contains `@`. */
    async findByLogin(login: string): Promise<UserRow | undefined> {
      const column = login.includes('@') ? users.emailKey : users.usernameKey
      return db.select().from(users).where(eq(column, nameKey(login))).get()
    },

    async list(limit: number, offset: number) {
      const rows = db.select().from(users).orderBy(asc(users.id)).limit(limit).offset(offset).all()
      const total = db.select({ n: count() }).from(users).get()?.n ?? 0
      return { rows, total }
    },

    async setPasswordHash(id: number, passwordHash: string) {
      db.update(users).set({ passwordHash }).where(eq(users.id, id)).run()
    },

    /** Applies roles / is_active; refuses (409) to leave no active admin. Undefined when absent. */
    async update(id: number, patch: { roles?: string[]; isActive?: boolean }): Promise<UserRow | undefined> {
      return db.transaction(
        (tx) => {
          const current = tx.select().from(users).where(eq(users.id, id)).get()
          if (!current) return undefined
          const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }
          const losesAdmin = isAdmin(current) && current.isActive && !(isAdmin(next) && next.isActive)
          if (losesAdmin && otherActiveAdmins(tx, id) === 0) {
            throw conflict('The last active admin cannot be demoted or deactivated.')
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

    /** Deletes the user (sessions go with it); refuses (409) to delete the last active admin. */
    async delete(id: number): Promise<boolean> {
      return db.transaction(
        (tx) => {
          const current = tx.select().from(users).where(eq(users.id, id)).get()
          if (!current) return false
          if (isAdmin(current) && current.isActive && otherActiveAdmins(tx, id) === 0) {
            throw conflict('The last active admin cannot be deleted.')
          }
          tx.delete(users).where(eq(users.id, id)).run()
          return true
        },
        { behavior: 'immediate' },
      )
    },
  }
}
export type UsersRepository = ReturnType<typeof usersRepository>
