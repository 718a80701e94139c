import type { PgDb } from '../../db/postgres.js'
import type { Repositories } from '../types.js'
import { unavailableOnLockTimeout } from './locks.js'
import { emailLinksRepository } from './email-links.js'
import { itemsRepository } from './items.js'
import { outboxRepository } from './outbox.js'
import { sessionsRepository } from './sessions.js'
import { signingKeysRepository } from './signing-keys.js'
import { storesRepository } from './stores.js'
import { usersRepository } from './users.js'

/** The PostgreSQL implementation of the repositories; a lock waited for over lock_timeout is a 503. */
export function postgresRepositories(db: PgDb): Repositories {
  return {
    users: unavailableOnLockTimeout(usersRepository(db)),
    sessions: unavailableOnLockTimeout(sessionsRepository(db)),
    stores: unavailableOnLockTimeout(storesRepository(db)),
    items: unavailableOnLockTimeout(itemsRepository(db)),
    signingKeys: unavailableOnLockTimeout(signingKeysRepository(db)),
    emailLinks: unavailableOnLockTimeout(emailLinksRepository(db)),
    outbox: unavailableOnLockTimeout(outboxRepository(db)),
  }
}
