import fp from 'fastify-plugin'
import { connect, type DbHandle } from '../../db/connect.js'
import { repositoriesFor } from '../../repositories/index.js'

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
    }
    app.decorate('repos', await repositoriesFor(handle))

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
