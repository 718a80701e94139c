// Starting, watching and stopping the servers under test.
import { spawn, spawnSync } from 'node:child_process'
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** taskset is used when it exists and the machine has the two cores the method needs (cpus(), not
 * availableParallelism(): the harness itself already runs pinned to one core). */
export const canPin =
  process.platform === 'linux' && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0

/** `command` pinned to `cpu` (a CPU list such as "0" or "0,1"), when pinning is possible. */
export function pinned(cpu, command, args) {
  return canPin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args]
}

/** `pid` and every process descended from it (a cluster's primary and its workers). */
export function processTree(pid) {
  const parents = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child)
  return tree
}

const sum = (values) => values.reduce((total, v) => total + (v ?? 0), 0)

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Polls GET `url` until it answers 200; resolves with the milliseconds since `since`. */
export async function waitHealthy(url, since, child, timeoutMs = 30_000) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was healthy`)
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return Number(process.hrtime.bigint() - since) / 1e6
    } catch {
      // not listening yet
    }
    if (Number(process.hrtime.bigint() - since) / 1e6 > timeoutMs) throw new Error(`${url} not healthy after ${timeoutMs} ms`)
    await sleep(2)
  }
}

/** Kilobytes from /proc/<pid>/status (VmHWM = peak resident set, VmRSS = current). */
export function procStatusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/**
 * Starts `node <args>` pinned to CPU 0 with exactly `env` (and PORT, HOST) in `cwd`, logs
 * appended to `logFile`, and waits for
 * a 200 from `healthPath`. Returns { child, port, startupMs, peakRssMb(), stop() }.
 */
export async function startServer({ args, env, healthPath = '/health', logFile, port, cwd, cpus = '0' }) {
  port ??= await freePort()
  const fd = openSync(logFile, 'a')
  const [command, argv] = pinned(cpus, process.execPath, args)
  const since = process.hrtime.bigint()
  const child = spawn(command, argv, {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
    cwd,
  })
  closeSync(fd)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let startupMs
  try {
    startupMs = await waitHealthy(`http://127.0.0.1:${port}${healthPath}`, since, child)
  } catch (err) {
    child.kill('SIGKILL')
    throw new Error(`${err.message}; see ${logFile}`)
  }
  // The server's processes: one, or a cluster's primary and workers (all up once healthy).
  const pids = processTree(child.pid)
  // VmHWM catches each process's peak between polls; VmRSS polling is a fallback where VmHWM is
  // absent. For a cluster, the peaks are summed: an upper bound of the peak of the sum.
  let polledKb = 0
  const poll = setInterval(() => {
    polledKb = Math.max(polledKb, sum(pids.map((pid) => procStatusKb(pid, 'VmRSS'))))
  }, 100)
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    startupMs,
    cpuMs: () => sum(pids.map(cpuMs)),
    peakRssMb() {
      const kb = Math.max(sum(pids.map((pid) => procStatusKb(pid, 'VmHWM'))), polledKb)
      return kb / 1024
    },
    async stop() {
      clearInterval(poll)
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}
