// The real service as a child process, for tests that talk to it over HTTP (a generated
// client, a browser). It runs src/server.ts as `npm start` does, on a temporary folder and
// database, on a free port the OS picks.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helper.js'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))

type Tap = { teardown(fn: () => unknown): void }

export interface LiveServer {
  url: string
  /** Everything the server wrote (JSON log lines). */
  output(): string
}

/** Starts the service and resolves once it listens; killed at teardown. */
export async function startServer(t: Tap, env: Record<string, string> = {}): Promise<LiveServer> {
  const cwd = tempDir(t)
  // tsx resolved from here: the child runs in a folder with no node_modules.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SERVER], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: join(cwd, 'stores.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => void child.kill('SIGKILL'))
  let output = ''
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
  return { url, output: () => output }
}
