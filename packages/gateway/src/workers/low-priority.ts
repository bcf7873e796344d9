/**
 * @module workers/low-priority
 * Lower the calling worker thread's CPU scheduling priority, so heavy cryptography yields the
 * cores to the event-loop thread that answers light routes. On Linux a thread is a task with its
 * own id, and `setpriority(PRIO_PROCESS, tid)` affects that thread only (threads it starts later
 * inherit the value). Elsewhere, or when refused, it does nothing.
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
export function lowerThreadPriority(): boolean {
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
