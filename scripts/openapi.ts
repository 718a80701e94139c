// Writes openapi.yaml from the app's schemas; with --check, fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs'
import { openApiYaml } from '../src/openapi.js'

const FILE = new URL('../openapi.yaml', import.meta.url)
const text = await openApiYaml()

if (process.argv.includes('--check')) {
  let committed = ''
  try {
    committed = readFileSync(FILE, 'utf8')
  } catch {
    // missing counts as different
  }
  if (committed !== text) {
    console.error('openapi.yaml is not what the code generates: run `npm run openapi` and commit it.')
    process.exit(1)
  }
  console.log('openapi.yaml is up to date.')
} else {
  writeFileSync(FILE, text)
  console.log('openapi.yaml written.')
}
