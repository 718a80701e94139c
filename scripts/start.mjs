// npm start: one process. Takes the build of the current sources (building it first when the
// sources changed) and runs its server. See scripts/builds.mjs.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensureBuild } from './builds.mjs'

await import(pathToFileURL(join(await ensureBuild(), 'server.js')).href)
