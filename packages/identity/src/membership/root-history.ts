/**
 * @module root-history
 * Roots a group has had, with the time each stopped being current: a proof made against an old
 * root is accepted only within `windowSeconds` of the change (Semaphore's merkleTreeDuration), so a
 * removed member is locked out once the window has passed.
 */
import { aNonNegativeInt } from '@krain/core'
import { IdentityError } from '../errors.js'

/** Root history of one group. */
export class RootHistory {
  readonly #replacedAt = new Map<string, number>()
  #current: string | undefined
  /**
   * @param windowSeconds - how long a replaced root stays acceptable
   */
  constructor(readonly windowSeconds: number) { aNonNegativeInt(windowSeconds, 'windowSeconds') }

  /** Record a new current root at time `now` (seconds). */
  update(root: bigint | string, now: number): void {
    const r = root.toString()
    if (r === this.#current) return
    if (this.#current !== undefined) this.#replacedAt.set(this.#current, now)
    this.#replacedAt.delete(r)
    this.#current = r
  }

  /** The current root. */
  get current(): string | undefined { return this.#current }

  /**
   * Check that a root is current or was replaced less than `windowSeconds` ago.
   * @throws IdentityError `IDENTITY_UNKNOWN_ROOT` or `IDENTITY_ROOT_EXPIRED`
   */
  assertAcceptable(root: bigint | string, now: number): void {
    const r = root.toString()
    if (r === this.#current) return
    const t = this.#replacedAt.get(r)
    if (t === undefined) throw new IdentityError({ code: 'IDENTITY_UNKNOWN_ROOT', shortMessage: 'the proof is for a root this group never had' })
    if (now - t >= this.windowSeconds) throw new IdentityError({ code: 'IDENTITY_ROOT_EXPIRED', shortMessage: 'the proof is for a root replaced longer ago than the window', details: `replaced at ${t}, now ${now}, window ${this.windowSeconds} s` })
  }
}
