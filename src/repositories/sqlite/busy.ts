import { UnavailableError } from '../errors.js'
import { onErrors } from '../wrap.js'

/** How long a request may wait for SQLite's write lock before it is a 503. */
export const LOCK_WAIT_MS = 5000
const FIRST_DELAY_MS = 2
const MAX_DELAY_MS = 100

/** SQLITE_BUSY and its extended codes, looking through Drizzle's wrapper. */
export function isBusy(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY')) return true
  }
  return false
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` again while SQLite is busy, with growing pauses in between, for at most
 * LOCK_WAIT_MS. The connection's busy_timeout is 0, so each attempt fails at once instead of
 * waiting on the event loop: other requests go on meanwhile. A busy attempt wrote nothing
 * (a statement, or a whole transaction rolled back), so running it again is safe.
 */
async function retry<T>(attempt: () => Promise<T>, first: unknown): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS
  let error = first
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    if (!isBusy(error)) throw error
    const pause = delay / 2 + Math.random() * delay
    if (Date.now() + pause > deadline) break
    await sleep(pause)
    try {
      return await attempt()
    } catch (err) {
      error = err
    }
  }
  throw new UnavailableError('The database is busy; try again shortly.')
}

/** `repo` with every method retried while SQLite is busy (see `retry`). */
export const retryingBusy = <R extends object>(repo: R): R => onErrors(repo, (err, again) => retry(again, err))
