// npm run build: makes dist/<fingerprint>/ for the current sources when it is not there yet
// (scripts/builds.mjs), and prints its folder. `npm start` does the same in its own process.
import { relative } from 'node:path'
import { ensureBuild } from './builds.mjs'

console.log(relative(process.cwd(), await ensureBuild()))
