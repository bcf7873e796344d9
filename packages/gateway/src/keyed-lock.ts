/**
 * @module keyed-lock
 * Tasks that must not interleave per key (one MPC session, one PSI stream, one federated session,
 * one model's batch submissions) run one at a time per key, in the order they were queued, within
 * this process. A failed task does not stop the ones queued after it. Keys with nothing queued are
 * forgotten, so the map holds only busy keys. Across instances the store's compare-and-set (or the
 * chain's nonce) decides; this only keeps one instance from racing itself.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>()

  /** Whether a task of `key` is queued or running. */
  has(key: string): boolean {
    return this.#tails.has(key)
  }

  /**
   * Run `task` once every task queued earlier under `key` has settled.
   * @returns what `task` returns (or its rejection)
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(task)
    // released in the task's own settlement reaction, registered before the caller's: when the
    // caller resumes after its last task, `has(key)` is already false
    const release = (): void => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
    const tail: Promise<void> = run.then(release, release)
    this.#tails.set(key, tail)
    return run
  }
}
