import fp from 'fastify-plugin'
import type { AppConfig } from '../../app.js'

/** `app.config`: the validated configuration buildApp was given. */
export default fp<{ config: AppConfig }>(
  async (app, { config }) => {
    app.decorate('config', config)
  },
  { name: 'config' },
)
