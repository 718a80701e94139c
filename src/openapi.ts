import { buildApp } from './app.js'
import { loadConfig } from './config.js'

/** The OpenAPI document as YAML, from an app on a throwaway in-memory database with default settings. */
export async function openApiYaml(): Promise<string> {
  const config = loadConfig({ DATABASE_URL: ':memory:' })
  const app = await buildApp({ ...config, jwtSecret: 'x'.repeat(32) }, { logger: false })
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
  }
}
