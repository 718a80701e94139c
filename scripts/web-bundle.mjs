// The web app's part of a build (scripts/builds.mjs): web/ bundled by esbuild for the browser
// into <build>/app/assets/ under names that carry their content's hash, and the index.html that
// names them, in <build>/app/. No inline script or style: the page's CSP allows 'self' only.
import { writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = 'web/main.tsx'
// A storefront awning, drawn inline (img-src allows data:) so that no request for /favicon.ico is made.
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%230f766e'/%3E%3Cpath d='M7 12h18l-2-5H9z' fill='%23fff'/%3E%3Crect x='9' y='14' width='14' height='11' rx='1' fill='%23fff'/%3E%3C/svg%3E"

const page = ({ script, style }) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shopfront</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/app/assets/${style}">
<script type="module" src="/app/assets/${script}"></script>
</head>
<body>
<div id="root"></div>
<noscript>Shopfront needs JavaScript.</noscript>
</body>
</html>
`

/** Bundles web/ into `outdir`/assets and writes `outdir`/index.html. */
export async function bundleWeb(outdir) {
  const { build } = await import('esbuild')
  const assets = join(outdir, 'assets')
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    tsconfig: join(ROOT, 'web/tsconfig.json'),
    // React's production build: no development checks, a third of the size.
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  })
  const [script, output] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === ENTRY) ?? []
  if (!script || !output?.cssBundle) throw new Error(`esbuild gave no script and stylesheet for ${ENTRY}`)
  writeFileSync(join(outdir, 'index.html'), page({ script: basename(script), style: basename(output.cssBundle) }))
}
