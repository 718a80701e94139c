// npm run build [-- --if-needed]
//
// Builds dist/server.js from src/server.ts with esbuild: TypeScript stripped (no type check
// here; that is `npm run typecheck`), our modules bundled into one file together with
// TypeBox and Drizzle, whose ESM builds are hundreds of small files that Node would otherwise
// resolve and load one by one at every start. Every other package stays in node_modules
// (native addons, files read at run time); modules the code loads with import() (PostgreSQL)
// get chunks of their own, so an SQLite start never loads them. Takes about a second and needs only runtime
// dependencies (esbuild comes with tsx), so `npm install && npm start` works on a fresh clone.
// --if-needed skips the build when dist/ was made from the current sources.
import { build } from 'esbuild'
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'dist')
const STAMP = join(OUT, '.sources')
const BUNDLED_PACKAGES = new Set(['@sinclair/typebox', 'drizzle-orm'])

function sources() {
  const files = [fileURLToPath(import.meta.url), join(ROOT, 'package-lock.json')]
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) files.push(path)
    }
  }
  for (const dir of ['src', 'schemas']) walk(join(ROOT, dir))
  return files.sort()
}

/** What dist/ is built from: each source's path, size and modification time. */
const fingerprint = (files) =>
  files
    .filter((f) => existsSync(f))
    .map((f) => {
      const s = statSync(f)
      return `${relative(ROOT, f)} ${s.size} ${s.mtimeMs}`
    })
    .join('\n')

const stamp = fingerprint(sources())
if (process.argv.includes('--if-needed') && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) process.exit(0)

const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/')

rmSync(OUT, { recursive: true, force: true })
await build({
  entryPoints: [join(ROOT, 'src/server.ts')],
  outdir: OUT,
  // Modules imported with import() (the PostgreSQL driver and repositories) go to chunks of
  // their own, loaded only when used.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, ({ path }) =>
          BUNDLED_PACKAGES.has(packageOf(path)) ? undefined : { path, external: true },
        )
      },
    },
  ],
})
writeFileSync(STAMP, stamp)
