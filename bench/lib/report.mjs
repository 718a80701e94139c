// The bench's table and its targets, as Markdown.

const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/**
 * rows: [{ scenario, level, service, rps, p50, p99, non2xx, errors, rssMb, cpuUs }], the first the
 * baseline; startups: [{ what, ms, runs }]. Ratios are to the baseline of the same run, and (with
 * a second version measured) to that version's row of the same scenario and level.
 */
export function report({ rows, startups, header, pacedRow }) {
  const hello = rows[0]
  const versions = [...new Set(rows.slice(1).map((r) => r.service))]
  const before = versions[1]
  const twin = (r) => rows.find((o) => o.service === before && o.scenario === r.scenario && o.level === r.level)
  const table = [
    `| scenario | log | version | req/s | p50 ms | p99 ms | non-2xx | errors | peak RSS MB | × hello | CPU µs/req | CPU × hello${before ? ' | req/s × before' : ''} |`,
    `|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|${before ? '--:|' : ''}`,
    ...rows.map((r) => {
      const vsBefore = before && r.service !== before && twin(r) ? fmt(r.rps / twin(r).rps, 2) : ''
      return (
        `| ${r.scenario} | ${r.level ?? ''} | ${r.service} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.non2xx} | ${r.errors} | ` +
        `${fmt(r.rssMb, 1)} | ${fmt(r.rps / hello.rps, 2)} | ${fmt(r.cpuUs)} | ${r.cpuUs ? fmt(hello.cpuUs / r.cpuUs, 2) : '–'}${before ? ` | ${vsBefore}` : ''} |`
      )
    }),
  ].join('\n')
  const starts = startups.length
    ? ['| start-up to the first 200 from /health | median ms |', '|---|--:|', ...startups.map((s) => `| ${s.what} (${s.runs} runs) | ${fmt(s.ms)} |`)].join('\n')
    : ''

  const current = versions[0]
  const row = (scenario, level) => rows.find((r) => r.service === current && r.scenario === scenario && r.level === level)
  const ratio = (r) => r && r.rps / hello.rps
  const refresh = rows.find((r) => r.service === current && r.scenario.startsWith('POST /refresh'))
  const paced = row(pacedRow, 'info')
  const underLogin = rows.find((r) => r.service === current && r.scenario.startsWith(`${pacedRow} +`))
  const serviceRows = rows.slice(1).filter((r) => r.service === current)
  const npmStart = startups.find((s) => s.what.startsWith("npm start's command, this build"))
  const targets = [
    ['authenticated GET /item/{id} at warn ≥ 0.30 × hello', ratio(row('GET /item/{id} (authenticated)', 'warn')), (v) => v >= 0.3, (v) => fmt(v, 2)],
    ['authenticated GET /item/{id} at info ≥ 0.25 × hello', ratio(row('GET /item/{id} (authenticated)', 'info')), (v) => v >= 0.25, (v) => fmt(v, 2)],
    ['anonymous GET /item at info ≥ 0.30 × hello', ratio(row('GET /item (anonymous)', 'info')), (v) => v >= 0.3, (v) => fmt(v, 2)],
    ['rotating refresh ≥ 1.3 × before', refresh && before && twin(refresh) ? refresh.rps / twin(refresh).rps : undefined, (v) => v >= 1.3, (v) => `${fmt(v, 2)}×`],
    ['p99 of paced GET /item/{id} under 20 logins/s ≤ 2 × without', paced && underLogin ? underLogin.p99 / paced.p99 : undefined, (v) => v <= 2, (v) => `${fmt(v, 2)}×`],
    ['start-up (npm start) ≤ 500 ms', npmStart?.ms, (v) => v <= 500, (v) => `${fmt(v)} ms`],
    ['peak RSS ≤ 120 MB', Math.max(...serviceRows.map((r) => r.rssMb ?? 0)), (v) => v <= 120, (v) => `${fmt(v, 1)} MB`],
    ['no non-2xx, no errors', rows.reduce((n, r) => n + r.non2xx + r.errors, 0), (v) => v === 0, (v) => String(v)],
  ].filter(([, v]) => v !== undefined)
  const checks = targets.map(([name, v, ok, show]) => `- ${ok(v) ? 'met' : '**missed**'}: ${name} (${show(v)})`).join('\n')
  return `${header}\n\n${table}\n\n${starts}\n\nTargets (ratios within this run):\n\n${checks}\n`
}
