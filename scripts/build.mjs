// npm run build [-- --if-needed]
//
// Bundles src/server.ts and the packages it uses into dist/ with esbuild (no type check: that
// is `npm run typecheck`), so a start loads one file instead of hundreds of modules. Left in
// node_modules: native addons, @fastify/swagger-ui with yaml (it serves files beside its own
// code), pino (its transports load files by path), and the drivers loaded only when configured
// (pg, ioredis). --if-needed skips the build when dist/ was made from the current sources.
// It needs only runtime dependencies, so `npm install && npm start` works on a fresh clone.
import { build } from 'esbuild'
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'dist')
const STAMP = join(OUT, '.sources')
const EXTERNAL_PACKAGES = new Set(['better-sqlite3', '@node-rs/argon2', '@fastify/swagger-ui', 'yaml', 'pino', 'pg', 'ioredis'])
const REQUIRE = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

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

// Built beside dist/ and moved into place, so a server starting meanwhile never sees half a build.
const TMP = `${OUT}.tmp-${process.pid}`
rmSync(TMP, { recursive: true, force: true })
await build({
  entryPoints: [join(ROOT, 'src/server.ts')],
  outdir: TMP,
  // Modules imported with import() (the PostgreSQL driver and repositories) go to chunks of
  // their own, loaded only when used.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax minified, identifiers kept: V8 keeps a module's source in memory, and
  // names keep stack traces readable (dist/server.js.map maps positions back; bench/README.md).
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  banner: { js: REQUIRE },
  plugins: [
    {
      name: 'externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, ({ path }) =>
          EXTERNAL_PACKAGES.has(packageOf(path)) || path.startsWith('node:') ? { path, external: true } : undefined,
        )
      },
    },
  ],
})
writeFileSync(join(TMP, '.sources'), stamp)
rmSync(OUT, { recursive: true, force: true })
renameSync(TMP, OUT)
