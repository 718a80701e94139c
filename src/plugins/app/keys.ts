import fp from 'fastify-plugin'
import { openKeys } from '../../keys/index.js'

/** Other instances' rotations are seen within this (API.md promises 30 s); expired keys go within it too. */
const TICK_MS = 10_000

/**
 * `app.keys`: the keys that sign and verify tokens (see src/keys/). With an asymmetric
 * JWT_ALGORITHM they come from the database, created on first start, and a periodic tick
 * reloads them, deletes expired ones and rotates when JWT_KEY_ROTATION says so.
 */
export default fp(
  async (app) => {
    const keys = await openKeys(app.config, app.repos.signingKeys, app.log)
    app.decorate('keys', keys)
    if (keys.algorithm === 'HS256') return
    const timer = setInterval(() => keys.tick().catch((err: unknown) => app.log.error({ err }, 'signing keys: the periodic reload failed')), TICK_MS)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
  },
  { name: 'keys', dependencies: ['config', 'db'] },
)
