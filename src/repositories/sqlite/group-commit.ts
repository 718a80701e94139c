import type { Db } from '../../db/sqlite.js'

/**
 * `write` batched: the calls made within one turn of the event loop run in one BEGIN IMMEDIATE
 * transaction, so they share one commit, and with synchronous=FULL one fsync, instead of
 * one each. Every caller still gets its own result only once the commit is on disk. Should the
 * transaction fail (SQLITE_BUSY, say), every caller of the batch gets the error; the busy retry
 * around the repository then runs each one again, batched anew.
 */
export function groupCommit<A, R>(db: Db, write: (args: A) => R) {
  let queue: Array<{ args: A; resolve: (result: R) => void; reject: (err: unknown) => void }> = []
  const commit = db.$client.transaction((batch: typeof queue) => batch.map((w) => write(w.args)))
  const flush = () => {
    const batch = queue
    queue = []
    let results: R[]
    try {
      results = commit.immediate(batch)
    } catch (err) {
      for (const w of batch) w.reject(err)
      return
    }
    batch.forEach((w, i) => w.resolve(results[i]!))
  }
  return (args: A) =>
    new Promise<R>((resolve, reject) => {
      if (queue.push({ args, resolve, reject }) === 1) setImmediate(flush)
    })
}
