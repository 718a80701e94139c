// The builds of the service: dist/<fingerprint>/, one folder per version of the sources, made
// beside and renamed into place, never changed afterwards. Processes starting at once from one
// checkout agree on the folder, and none replaces a file that another is loading.
//
// esbuild bundles src/server.ts and the packages it uses (no type check: that is `npm run
// typecheck`), so a start loads one file instead of hundreds of modules. Left in node_modules:
// native addons, @fastify/swagger-ui with yaml (it serves files beside its own code), pino (its
// transports load files by path), and the drivers loaded only when configured (pg, ioredis).
// Only runtime dependencies are needed, so `npm install && npm start` works on a fresh clone.
// The web app (web/) is bundled for the browser into app/ of the same folder (web-bundle.mjs),
// where the server finds it beside its own file.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleWeb } from './web-bundle.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const DIST = join(ROOT, 'dist')
const SOURCE_DIRS = ['src', 'schemas', 'web']
const EXTERNAL_PACKAGES = new Set(['better-sqlite3', '@node-rs/argon2', '@fastify/swagger-ui', 'yaml', 'pino', 'pg', 'ioredis'])
const REQUIRE = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
/** Older builds are deleted, but the newest few (a server may still run one) and any younger than this. */
const KEEP_BUILDS = 4
const KEEP_MS = 24 * 3600 * 1000

function sources() {
  const scripts = ['builds.mjs', 'web-bundle.mjs'].map((name) => fileURLToPath(new URL(name, import.meta.url)))
  const files = [...scripts, join(ROOT, 'package-lock.json')]
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else files.push(path)
    }
  }
  for (const dir of SOURCE_DIRS) walk(join(ROOT, dir))
  return files.sort()
}

/** What a build is made from (each source's path, size and modification time), hashed: its folder's name. */
export function fingerprint() {
  const list = sources()
    .map((f) => {
      const s = statSync(f)
      return `${relative(ROOT, f)} ${s.size} ${s.mtimeMs}`
    })
    .join('\n')
  return createHash('sha256').update(list).digest('hex').slice(0, 16)
}

const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/')

async function bundle(outdir) {
  const { build } = await import('esbuild')
  await build({
    entryPoints: [join(ROOT, 'src/server.ts')],
    outdir,
    // Modules imported with import() (the PostgreSQL driver and repositories) get chunks of
    // their own, loaded only when used.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Whitespace and syntax minified, identifiers kept: V8 keeps a module's source in memory, and
    // names keep stack traces readable (server.js.map maps positions back; bench/README.md).
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
}

/** Deletes the builds nobody should still run: all but the newest few, once a day old. */
function pruneBuilds(current) {
  const now = Date.now()
  const builds = readdirSync(DIST, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current)
    .map((e) => ({ path: join(DIST, e.name), mtime: statSync(join(DIST, e.name)).mtimeMs, tmp: e.name.includes('.tmp-') }))
    .sort((a, b) => b.mtime - a.mtime)
  builds.forEach((b, i) => {
    // A half-made build of another process is left alone for an hour; it renames it when done.
    const old = now - b.mtime > (b.tmp ? 3600 * 1000 : KEEP_MS)
    if (old && (b.tmp || i >= KEEP_BUILDS - 1)) rmSync(b.path, { recursive: true, force: true })
  })
}

/** The folder of the build of the current sources, made first when there is none. */
export async function ensureBuild() {
  const name = fingerprint()
  const dir = join(DIST, name)
  // Complete or absent: a build appears only by a rename of its finished folder.
  if (existsSync(join(dir, 'server.js'))) return dir
  mkdirSync(DIST, { recursive: true })
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  await Promise.all([bundle(tmp), bundleWeb(join(tmp, 'app'))])
  try {
    renameSync(tmp, dir)
  } catch (err) {
    // Another process finished the same build first: its folder is as good as ours.
    if (!existsSync(join(dir, 'server.js'))) throw err
    rmSync(tmp, { recursive: true, force: true })
  }
  pruneBuilds(name)
  return dir
}
