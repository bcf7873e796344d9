/**
 * @module nullifier-store
 * Where nullifier uses are counted. The gateway backs it with its SQL store so a restart keeps
 * replay protection; {@link MemoryNullifierStore} is the in-process implementation.
 */

/** Counts uses of a nullifier within a (group, scope) key. */
export interface NullifierStore {
  /**
   * Atomically record one use if fewer than `limit` were recorded; returns the count after.
   * Returns `undefined` (and records nothing) when the limit was already reached.
   */
  consume(key: { groupId: string; scope: string; nullifier: string }, limit: number): Promise<number | undefined>
  /** Uses recorded so far. */
  count(key: { groupId: string; scope: string; nullifier: string }): Promise<number>
}

/** In-memory {@link NullifierStore} (one process; lost on restart). */
export class MemoryNullifierStore implements NullifierStore {
  readonly #uses = new Map<string, number>()
  async consume(key: { groupId: string; scope: string; nullifier: string }, limit: number): Promise<number | undefined> {
    const k = `${key.groupId}/${key.scope}/${key.nullifier}`
    const n = this.#uses.get(k) ?? 0
    if (n >= limit) return undefined
    this.#uses.set(k, n + 1)
    return n + 1
  }
  async count(key: { groupId: string; scope: string; nullifier: string }): Promise<number> {
    return this.#uses.get(`${key.groupId}/${key.scope}/${key.nullifier}`) ?? 0
  }
}
