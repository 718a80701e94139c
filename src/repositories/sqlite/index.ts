import type { Db } from '../../db/sqlite.js'
import type { Repositories } from '../types.js'
import { retryingBusy } from './busy.js'
import { emailLinksRepository } from './email-links.js'
import { itemsRepository } from './items.js'
import { outboxRepository } from './outbox.js'
import { sessionsRepository } from './sessions.js'
import { signingKeysRepository } from './signing-keys.js'
import { storesRepository } from './stores.js'
import { usersRepository } from './users.js'

/** The SQLite implementation of the repositories; each call waits for a held write lock asynchronously. */
export function sqliteRepositories(db: Db): Repositories {
  return {
    users: retryingBusy(usersRepository(db)),
    sessions: retryingBusy(sessionsRepository(db)),
    stores: retryingBusy(storesRepository(db)),
    items: retryingBusy(itemsRepository(db)),
    signingKeys: retryingBusy(signingKeysRepository(db)),
    emailLinks: retryingBusy(emailLinksRepository(db)),
    outbox: retryingBusy(outboxRepository(db)),
  }
}
