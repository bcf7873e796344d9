/**
 * @module seal/scope
 * Deterministic release of SEAL objects. node-seal objects live in WebAssembly memory; the
 * JavaScript garbage collector does not see their size, so a long-running service must
 * `delete()` every one. A {@link Scope} collects the objects created during a computation and
 * deletes them together (in reverse order) when disposed, with `using` or {@link withScope}.
 * It also counts live tracked objects ({@link liveSealObjects}), which tests use to prove that a
 * long run of inferences releases what it allocates.
 */

/** Anything with node-seal's `delete()`. */
export type Deletable = { delete(): void }

let live = 0

/** Number of SEAL objects created through a {@link Scope} (or an owning wrapper) and not yet deleted. */
export function liveSealObjects(): number {
  return live
}

/** @internal Adjust the live count for objects owned outside a scope (wrappers with their own dispose). */
export function countSealObjects(delta: number): void {
  live += delta
}

/**
 * Make an object the caller will own: `fill` initialises `item` (a SEAL call writing into it); if
 * `fill` throws, `item` is deleted before the error propagates, so a failed operation leaks nothing.
 * @param item - a freshly created node-seal object
 * @param fill - writes the result into `item`
 * @returns `item`, now owned by the caller
 * @example
 * ```ts
 * const out = owned(seal.CipherText(), (ct) => evaluator.add(a, b, ct))
 * ```
 */
export function owned<T extends Deletable>(item: T, fill: (item: T) => void): T {
  try {
    fill(item)
    return item
  } catch (e) {
    item.delete()
    throw e
  }
}

/**
 * A set of SEAL objects released together.
 * @example
 * ```ts
 * {
 *   using scope = new Scope()
 *   const pt = scope.track(seal.PlainText())
 *   // ... pt is deleted when the block ends
 * }
 * ```
 */
export class Scope implements Disposable {
  #items: Deletable[] = []
  #disposed = false

  /**
   * Track `item`: it is deleted when the scope is disposed.
   * @param item - a node-seal object
   * @returns `item`
   */
  track<T extends Deletable>(item: T): T {
    if (this.#disposed) {
      item.delete()
      throw new Error('Scope: track() after dispose()')
    }
    this.#items.push(item)
    live++
    return item
  }

  /**
   * Stop tracking `item` (its ownership moves to the caller, who must delete it).
   * @param item - an object tracked by this scope
   * @returns `item`
   */
  release<T extends Deletable>(item: T): T {
    const i = this.#items.lastIndexOf(item)
    if (i >= 0) {
      this.#items.splice(i, 1)
      live--
    }
    return item
  }

  /** Delete every tracked object, newest first. Idempotent. */
  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (let i = this.#items.length - 1; i >= 0; i--) {
      try {
        this.#items[i]!.delete()
      } catch {
        // already deleted elsewhere: nothing left to free
      }
      live--
    }
    this.#items = []
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Run `fn` with a fresh {@link Scope} and dispose it afterwards, even when `fn` throws.
 * @param fn - the computation; objects it tracks are deleted when it returns
 * @returns what `fn` returned (it must not return tracked objects; `release` them first)
 * @example
 * ```ts
 * const values = withScope((scope) => decode(scope.track(decrypt(ct))))
 * ```
 */
export function withScope<T>(fn: (scope: Scope) => T): T {
  const scope = new Scope()
  try {
    return fn(scope)
  } finally {
    scope.dispose()
  }
}
