import type { DbHandle } from '../db/connect.js'
import { sqliteRepositories } from './sqlite/index.js'
import type { Repositories } from './types.js'

/** The repositories of the handle's dialect. PostgreSQL's are loaded only when used, as its driver is. */
export async function repositoriesFor(handle: DbHandle): Promise<Repositories> {
  if (handle.dialect === 'sqlite') return sqliteRepositories(handle.db)
  const { postgresRepositories } = await import('./postgres/index.js')
  return postgresRepositories(handle.db)
}
