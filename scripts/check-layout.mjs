// npm test runs this: the layering rules of the code (README "Layout"), checked on the imports.
// - plugins never import routes; repositories never import HTTP modules;
// - the SQLite and PostgreSQL repositories never import each other;
// - no source file is over 250 lines; no tracked file points outside the repository.
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAX_LINES = 250
const RULES = [
  ['src/plugins/', 'src/routes/', 'plugins must not import routes'],
  ['src/repositories/', 'src/http/', 'repositories must not know HTTP'],
  ['src/repositories/sqlite/', 'src/repositories/postgres/', 'dialects are siblings'],
  ['src/repositories/postgres/', 'src/repositories/sqlite/', 'dialects are siblings'],
]

function files(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') || e.name.endsWith('.tsx') ? [join(dir, e.name)] : [],
  )
}

const problems = []
for (const file of files('src')) {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const lines = text.split('\n').length
  if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES})`)
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = relative(ROOT, resolve(dirname(join(ROOT, file)), spec))
    for (const [from, to, why] of RULES) {
      if (file.startsWith(from) && target.startsWith(to)) problems.push(`${file} imports ${target}: ${why}`)
    }
  }
}
// git grep exits 1 when nothing matches (the expected case) and 128 outside a checkout.
const grep = spawnSync('git', ['grep', '-nI', '-e', '\\.\\./shared', '--', '.', ':!package-lock.json'], { cwd: ROOT, encoding: 'utf8' })
const outside = grep.status === 0 ? grep.stdout.trim() : ''
if (outside) problems.push(`tracked files point outside the repository:\n${outside}`)

if (problems.length) {
  console.error(`Layout rules broken:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('layout rules hold.')
