// Summarizes a V8 .cpuprofile: self time per package and per function, and inclusive time
// of the service's own code and the libraries on its request path.

/** Where a frame's code lives: a package, our source, Node's internals, or V8's own buckets. */
function owner(url, root) {
  if (!url) return 'V8 / native'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  if (url.startsWith('node:')) return 'node internals'
  const local = url.replace(/^file:\/\//, '').replace(root, '')
  return local.split('/').slice(0, 2).join('/')
}

export function summarizeProfile(profile, root, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const isIdle = (id) => byId.get(id)?.callFrame.functionName === '(idle)'
  const keyOf = (id) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const file = url.replace(/^file:\/\//, '').replace(root, '').replace(/^.*node_modules\//, '')
    return `${functionName || '(anonymous)'}${url ? ` ${file}:${lineNumber + 1}` : ''}`
  }

  const self = new Map()
  const pkgs = new Map()
  const inclusive = new Map()
  let total = 0
  let idle = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    total += us
    if (isIdle(id)) return void (idle += us)
    const key = keyOf(id)
    self.set(key, (self.get(key) ?? 0) + us)
    const o = owner(byId.get(id).callFrame.url, root)
    pkgs.set(o, (pkgs.get(o) ?? 0) + us)
    // Inclusive: the sample counts once for every distinct function on its stack.
    const seen = new Set()
    for (let n = id; n !== undefined; n = parent.get(n)) seen.add(keyOf(n))
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us)
  })
  const busy = total - idle
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`
  const list = (map, n, filter = () => true) =>
    [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${pct(us)}  ${k}`)

  const onPath = (k) => /^\S+ (src|schemas|dist|helmet|fast-jwt|@fastify|fast-json-stringify|drizzle-orm|pino|better-sqlite3|fastify)\//.test(k)
  return [
    `Busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled; shares below are of the busy time.`,
    '',
    'Self time by package:',
    ...list(pkgs, 15),
    '',
    `Top ${top} functions by self time:`,
    ...list(self, top),
    '',
    `Top ${top} functions of the service and its libraries by inclusive time (self + callees):`,
    ...list(inclusive, top, onPath),
  ].join('\n')
}
