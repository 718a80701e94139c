import type { Options } from '@node-rs/argon2'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

// Each worker lowers its own thread to the lowest priority (on Linux setpriority on the calling
// thread affects that thread only), then hashes synchronously on it: while requests are waiting
// for the core, the kernel runs them first, and a hash takes whatever time is left.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
try { require('node:os').setPriority(19) } catch {}
const argon2 = require(workerData.argon2)
parentPort.on('message', ({ op, a, b }) => {
  try {
    parentPort.postMessage({ result: op === 'hash' ? argon2.hashSync(a, b) : argon2.verifySync(a, b) })
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) })
  }
})`

const WORKER_HEAP = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 }

type Task = { op: 'hash' | 'verify'; a: string; b: unknown; resolve(value: unknown): void; reject(err: Error): void }
type Slot = { worker: Worker; task: Task | undefined }

/**
 * argon2 on a few low-priority worker threads (one per available core by default), started on
 * first use; tasks wait their turn first come first served. A worker holds the process open
 * only while it has a task. Each hash holds 19 MiB: more at once than cores only costs memory.
 */
export function argon2Pool(size = availableParallelism()) {
  const argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2')
  const slots: Slot[] = []
  const queue: Task[] = []
  let closed = false

  function start(): Slot {
    // A worker holds strings only: a small heap of its own (the 19 MiB of a hash are native memory).
    const worker = new Worker(WORKER, { eval: true, workerData: { argon2 }, resourceLimits: WORKER_HEAP })
    const slot: Slot = { worker, task: undefined }
    slot.worker.unref()
    slot.worker.on('message', (message: { result?: unknown; error?: string }) => {
      const task = slot.task!
      slot.task = undefined
      if (message.error === undefined) task.resolve(message.result)
      else task.reject(new Error(message.error))
      next(slot)
    })
    // A worker that dies fails its task; the next task starts another.
    slot.worker.on('error', (err) => slot.task?.reject(err))
    slot.worker.on('exit', () => {
      slots.splice(slots.indexOf(slot), 1)
      slot.task?.reject(new Error('the argon2 worker stopped'))
      slot.task = undefined
      if (!closed) dispatch()
    })
    slots.push(slot)
    return slot
  }

  function next(slot: Slot) {
    const task = queue.shift()
    if (!task) return void slot.worker.unref()
    slot.task = task
    slot.worker.ref()
    slot.worker.postMessage({ op: task.op, a: task.a, b: task.b })
  }

  function dispatch() {
    while (queue.length) {
      const idle = slots.find((s) => s.task === undefined) ?? (slots.length < size ? start() : undefined)
      if (!idle) return
      next(idle)
    }
  }

  function run<T>(op: Task['op'], a: string, b: unknown): Promise<T> {
    if (closed) return Promise.reject(new Error('the argon2 pool is closed'))
    return new Promise<T>((resolve, reject) => {
      queue.push({ op, a, b, resolve: resolve as (v: unknown) => void, reject })
      dispatch()
    })
  }

  return {
    hash: (password: string, options: Options) => run<string>('hash', password, options),
    verify: (hash: string, password: string) => run<boolean>('verify', hash, password),
    async close() {
      closed = true
      for (const task of queue.splice(0)) task.reject(new Error('the argon2 pool is closed'))
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}
export type Argon2Pool = ReturnType<typeof argon2Pool>
