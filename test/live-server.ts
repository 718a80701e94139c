// The real service as a child process, for tests that talk to it over HTTP (a generated
// client, a browser). It runs what `npm start` runs, on a temporary folder and database, on a
// free port the OS picks.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { tempDir } from './helper.js'
import { SERVER_ARGS } from './processes.js'

type Tap = { teardown(fn: () => unknown): void }

export interface LiveServer {
  url: string
  /** Its working directory: ./data/ (the database, mails as .eml files) is under it. */
  cwd: string
  /** Everything the server wrote (JSON log lines). */
  output(): string
}

/** Starts the service and resolves once it listens; killed at teardown. */
export async function startServer(t: Tap, env: Record<string, string> = {}): Promise<LiveServer> {
  const cwd = tempDir(t)
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: join(cwd, 'stores.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stopping = false
  t.teardown(() => {
    stopping = true
    child.kill('SIGKILL')
  })
  let output = ''
  // A server that dies mid-test says why in the test's log (a test only sees refused connections).
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`# the server exited (${code ?? signal}) during the test:\n${output.replace(/^/gm, '# ')}\n`)
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)))
  })
  return { url, cwd, output: () => output }
}
