/**
 * @module jobs/wait-until
 * The one waiter of the jobs layer: resolve with a stored record once it is ready, re-reading it
 * from the store whenever a change to it is announced (and once at the start), without polling.
 * Job long-polls (`GET /v1/jobs/:id?waitMs=`) and the outbox both use it.
 */
import type { EventEmitter } from 'node:events'

/** Parameters of {@link waitUntil}. */
export type WaitUntilParameters<T> = {
  /** Where changes are announced, as `emit(event, id)`; `emit(event, '')` means any record may have changed (announcements were lost): re-read. */
  events: EventEmitter
  event: string
  /** The record to wait for. */
  id: string
  /** Read the record's current state. */
  read: () => Promise<T>
  /** Whether the read state is the one waited for. */
  ready: (value: T) => boolean
  timeoutMs: number
  /** The error rejected with after `timeoutMs`. */
  onTimeout: () => Error
}

/**
 * Resolve with `read()`'s value once `ready` accepts it.
 * @returns the ready value
 * @throws whatever `read` throws, or `onTimeout()` after `timeoutMs`
 * @example
 * ```ts
 * const entry = await waitUntil({ events, event: 'outbox', id, read: () => store.getOutbox(id), ready: (e) => e?.status === 'done', timeoutMs: 5000, onTimeout: () => new Error('late') })
 * ```
 */
export function waitUntil<T>({ events, event, id, read, ready, timeoutMs, onTimeout }: WaitUntilParameters<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      events.off(event, onEvent)
      f()
    }
    const check = (): void => {
      read().then(
        (v) => {
          if (ready(v)) finish(() => resolve(v))
        },
        (e: unknown) => finish(() => reject(e)),
      )
    }
    const onEvent = (changed: string): void => {
      if (changed === id || changed === '') check()
    }
    const timer = setTimeout(() => finish(() => reject(onTimeout())), timeoutMs)
    events.on(event, onEvent)
    check()
  })
}
