import type { Db } from '../../db/sqlite.js'
import type { Repositories } from '../types.js'
import { emailLinksRepository } from './email-links.js'
import { itemsRepository } from './items.js'
import { outboxRepository } from './outbox.js'
import { sessionsRepository } from './sessions.js'
import { storesRepository } from './stores.js'
import { usersRepository } from './users.js'

/** The SQLite implementation of the repositories. */
export function sqliteRepositories(db: Db): Repositories {
  return {
    users: usersRepository(db),
    sessions: sessionsRepository(db),
    stores: storesRepository(db),
    items: itemsRepository(db),
    emailLinks: emailLinksRepository(db),
    outbox: outboxRepository(db),
  }
}
