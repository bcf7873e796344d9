/**
 * @module plugins/app/worker-pool
 * A piscina pool for heavy cryptography, so the event loop stays free. Errors thrown in a worker
 * cross the thread boundary as plain objects; domain errors (those with a `code`) are rebuilt as
 * `GatewayError`s (the error handler's table gives their status), invalid-argument errors as
 * `@krain/core`'s marker classes, so routes still answer with a typed 4xx.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import { Piscina } from 'piscina'
import { INVALID_ARGUMENT, InvalidArgumentRangeError, InvalidArgumentTypeError } from '@krain/core'
import { GatewayError } from '../../errors.js'
import type { WorkerOutcome } from '../../workers/task.js'
import type { WorkerResult, WorkerTask } from '../../workers/types.js'

/** The pool as routes see it. */
export type WorkerPool = {
  run<T extends WorkerTask>(task: T, transferList?: ArrayBuffer[]): Promise<WorkerResult<T['kind']>>
  readonly threads: number
  readonly queueSize: number
}

declare module 'fastify' {
  interface FastifyInstance {
    pool: WorkerPool
  }
}

/** The worker entry: the TypeScript loader when running from sources, the built file otherwise. */
export function workerEntry(): { filename: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.ts')) return { filename: fileURLToPath(new URL('../../workers/loader.js', import.meta.url)), execArgv: ['--conditions=source'] }
  const built = fileURLToPath(new URL('../../workers/task.js', import.meta.url))
  if (!existsSync(built)) throw new Error(`worker entry missing: ${built}`)
  return { filename: built, execArgv: [] }
}

/** Rebuild an error that crossed from a worker as data. */
export function reviveWorkerError(e: Extract<WorkerOutcome, { ok: false }>['error']): Error {
  if (e.code !== undefined && e.shortMessage !== undefined) return new GatewayError(e.code, { shortMessage: e.shortMessage, details: e.details })
  if (e.code === INVALID_ARGUMENT && e.name === 'TypeError') return new InvalidArgumentTypeError('', e.message)
  if (e.code === INVALID_ARGUMENT && e.name === 'RangeError') return new InvalidArgumentRangeError('', e.message)
  if (e.name === 'TypeError') return new TypeError(e.message)
  if (e.name === 'RangeError') return new RangeError(e.message)
  return new Error(`worker task failed: ${e.message}`)
}

/** Tasks waiting beyond this are refused with 503 POOL_BUSY (back-pressure instead of unbounded memory). */
const MAX_QUEUE = 256

/** Register the pool (destroyed with the instance). */
export const workerPoolPlugin = fp(
  async (fastify) => {
    const { filename, execArgv } = workerEntry()
    // At most cores − 1 threads, so the event loop always has a core (the workers also run at the
    // lowest CPU priority: `@krain/zk/low-priority`).
    const threads = Math.max(1, Math.min(fastify.config.workers, availableParallelism() - 1))
    const piscina = new Piscina({ filename, execArgv, minThreads: 1, maxThreads: threads, idleTimeout: 60_000, maxQueue: MAX_QUEUE + 16 })
    const pool: WorkerPool = {
      async run<T extends WorkerTask>(task: T, transferList?: ArrayBuffer[]): Promise<WorkerResult<T['kind']>> {
        if (piscina.queueSize >= MAX_QUEUE) throw new GatewayError('POOL_BUSY', { shortMessage: 'the worker pool is saturated; retry later' })
        const out: WorkerOutcome = await piscina.run(task, transferList ? { transferList } : {})
        if (!out.ok) throw reviveWorkerError(out.error)
        return out.value as WorkerResult<T['kind']> // what the dispatcher returns for this kind (it crossed the thread boundary as data)
      },
      get threads() {
        return piscina.threads.length
      },
      get queueSize() {
        return piscina.queueSize
      },
    }
    fastify.decorate('pool', pool)
    fastify.addHook('onClose', async () => piscina.destroy())
  },
  { name: 'krain-worker-pool', dependencies: ['krain-env'] },
)
