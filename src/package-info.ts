import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'

/** The service's name, version and description, from package.json. */
export const packageInfo = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
  description: string
}
