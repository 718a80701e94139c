import { build } from 'esbuild'
const BUNDLED = new Set(['@sinclair/typebox', 'drizzle-orm'])
const pkgName = (p) => (p.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0])
await build({
  entryPoints: ['/tmp/entry.ts'],
  bundle: true, outfile: process.argv[2], format: 'esm', platform: 'node', target: 'node20',
  plugins: [{ name: 'externals', setup(b) { b.onResolve({ filter: /^[^./]/ }, (a) => a.path.startsWith('node:') || !BUNDLED.has(pkgName(a.path)) ? { path: a.path, external: true } : undefined) } }],
  logLevel: 'warning',
})
