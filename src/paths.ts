import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project folder (the nearest one holding package.json), so files outside the code
 * (migrations, package.json) are found the same from src/ (tsx) and from the build in dist/.
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`)
  }
}

export const ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)))
