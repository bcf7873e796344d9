/**
 * @module prove/low-priority
 * Lower the calling worker thread's CPU scheduling priority, so heavy cryptography (Groth16
 * proving here, CKKS evaluation in the gateway's worker pool) yields the cores to the event-loop
 * thread that answers light requests. On Linux a thread is a task with its own id, and
 * `setpriority(PRIO_PROCESS, tid)` affects that thread only; the threads it starts afterwards
 * (snarkjs' curve threads) inherit the value. Elsewhere, or when refused, it does nothing.
 *
 * Plain JavaScript (with `low-priority.d.ts`), like `prove-worker.js` which imports it: worker
 * entries run under every loader (node, tsx, vitest) without a transform. The one copy of this
 * code: the gateway's worker pool imports it as `@krain/zk/low-priority`.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { isMainThread } from 'node:worker_threads'

/** The nice value heavy worker threads run at (the lowest priority). */
export const WORKER_NICE = 19

/**
 * Lower this worker thread's priority to {@link WORKER_NICE}. A no-op on the main thread (it
 * would lower the event loop itself), off Linux, and when the system refuses.
 * @returns whether the priority was lowered
 * @example
 * ```ts
 * lowerThreadPriority() // first thing in a worker entry
 * ```
 */
export function lowerThreadPriority() {
  if (isMainThread || process.platform !== 'linux') return false
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isSafeInteger(tid) || tid <= 0) return false
    setPriority(tid, WORKER_NICE)
    return true
  } catch {
    return false
  }
}
