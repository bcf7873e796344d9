/**
 * @module workers/task
 * The worker pool's entry: one function that dispatches a {@link WorkerTask} to its handler.
 * Heavy cryptography (CKKS evaluation, Groth16 proving, Poseidon) runs here, off the event loop.
 */
import { lowerThreadPriority } from '@krain/zk/low-priority'
import type { WorkerTask } from './types.js'

// Heavy work must not take the cores from the event loop: this thread runs at the lowest priority.
lowerThreadPriority()

/** What crosses back to the main thread: a value, or an error reduced to plain data. */
export type WorkerOutcome = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string; code?: string; shortMessage?: string; details?: string; status?: number } }

/**
 * Run one task in this worker thread. Errors are returned as data (structured clone drops an
 * error's own properties such as `code`).
 */
export default async function runTask(task: WorkerTask): Promise<WorkerOutcome> {
  try {
    return { ok: true, value: await dispatch(task) }
  } catch (e) {
    const x = e as { name?: unknown; message?: unknown; code?: unknown; shortMessage?: unknown; details?: unknown; status?: unknown }
    return {
      ok: false,
      error: {
        name: typeof x?.name === 'string' ? x.name : 'Error',
        message: typeof x?.message === 'string' ? x.message : String(e),
        ...(typeof x?.code === 'string' ? { code: x.code } : {}),
        ...(typeof x?.code === 'string' && typeof x.shortMessage === 'string' ? { shortMessage: x.shortMessage } : {}),
        ...(typeof x?.details === 'string' ? { details: x.details } : {}),
        ...(typeof x?.status === 'number' ? { status: x.status } : {}),
      },
    }
  }
}

async function dispatch(task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case 'he-inspect-keys':
      return (await import('./he-infer.js')).inspectKeys(task)
    case 'he-parse-infer-body':
      return (await import('./he-request.js')).parseInferenceBody(task)
    case 'he-infer':
      return (await import('./he-infer.js')).evaluateEncrypted(task)
    case 'contract-call':
      return (await import('./contract-call.js')).callContract(task)
    default:
      throw new TypeError(`unknown worker task ${JSON.stringify((task as { kind: unknown }).kind)}`)
  }
}
