import fp from 'fastify-plugin'
import { connect, type DbHandle } from '../../db/open.js'
import type { Db } from '../../db/client.js'
import { usersRepository } from '../../repositories/users.js'
import { sessionsRepository } from '../../repositories/sessions.js'
import { storesRepository } from '../../repositories/stores.js'
import { itemsRepository } from '../../repositories/items.js'
import type { Repositories } from '../../repositories/types.js'

export type { Repositories }

function sqliteRepositories(db: Db): Repositories {
  return {
    users: usersRepository(db),
    sessions: sessionsRepository(db),
    stores: storesRepository(db),
    items: itemsRepository(db),
  }
}

const PRUNE_EVERY_MS = 10 * 60 * 1000

/**
 * Opens the database named by DATABASE_URL (SQLite, or PostgreSQL for `postgres://`),
 * migrated; decorates `app.db` and `app.repos`, the same interface on both; prunes
 * expired sessions.
 */
export default fp(
  async (app) => {
    const handle = await connect(app.config)
    app.decorate<DbHandle>('db', handle)
    if (handle.dialect === 'postgres') {
      handle.pool.on('error', (err) => app.log.warn({ err }, 'an idle database connection was lost'))
      // Loaded only for PostgreSQL, as the driver is (see db/open.ts).
      const { postgresRepositories } = await import('../../repositories/postgres/index.js')
      app.decorate('repos', postgresRepositories(handle.db))
    } else {
      app.decorate('repos', sqliteRepositories(handle.db))
    }

    const prune = async () => {
      const removed = await app.repos.sessions.pruneExpired(new Date())
      if (removed) app.log.info({ event: 'sessions_pruned', removed }, 'expired sessions pruned')
    }
    try {
      await prune()
    } catch (err) {
      await handle.close()
      throw err
    }
    const timer = setInterval(() => prune().catch((err) => app.log.error({ err }, 'pruning failed')), PRUNE_EVERY_MS)
    timer.unref()

    app.addHook('onClose', async () => {
      clearInterval(timer)
      await handle.close()
    })
  },
  { name: 'db', dependencies: ['config'] },
)
