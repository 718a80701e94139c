import fp from 'fastify-plugin'
import { openDatabase } from '../../db/client.js'
import { usersRepository } from '../../repositories/users.js'
import { sessionsRepository } from '../../repositories/sessions.js'
import { storesRepository } from '../../repositories/stores.js'
import { itemsRepository } from '../../repositories/items.js'

export type Repositories = ReturnType<typeof repositories>

function repositories(db: ReturnType<typeof openDatabase>['db']) {
  return {
    users: usersRepository(db),
    sessions: sessionsRepository(db),
    stores: storesRepository(db),
    items: itemsRepository(db),
  }
}

const PRUNE_EVERY_MS = 10 * 60 * 1000

/** Opens the database (migrated), decorates `app.db` and `app.repos`, prunes expired sessions. */
export default fp(
  async (app) => {
    const handle = openDatabase(app.config.databaseUrl)
    app.decorate('db', handle)
    app.decorate('repos', repositories(handle.db))

    const prune = async () => {
      const removed = await app.repos.sessions.pruneExpired(new Date())
      if (removed) app.log.info({ event: 'sessions_pruned', removed }, 'expired sessions pruned')
    }
    await prune()
    const timer = setInterval(() => prune().catch((err) => app.log.error({ err }, 'pruning failed')), PRUNE_EVERY_MS)
    timer.unref()

    app.addHook('onClose', async () => {
      clearInterval(timer)
      handle.close()
    })
  },
  { name: 'db', dependencies: ['config'] },
)
