import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'

/**
 * @fastify/rate-limit as the counter store only (global: false): fixed one-minute windows,
 * in the process, or in Redis when REDIS_URL is set so that instances share them.
 * The auth-limits plugin decides which routes count what.
 */
export default fp(
  async (app) => {
    const { redisUrl } = app.config
    // Loaded only when used: ioredis is a large module that would otherwise slow every start.
    const redis = redisUrl
      ? new (await import('ioredis')).Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 })
      : undefined
    redis?.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'redis unavailable; rate limits not enforced'))
    await app.register(rateLimit, {
      global: false,
      timeWindow: 60_000,
      cache: 50_000,
      skipOnError: true,
      ...(redis ? { redis, nameSpace: 'stores-api-rl:' } : {}),
    })
    if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())))
  },
  { name: 'rate-limit', dependencies: ['config'] },
)
