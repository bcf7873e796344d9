/**
 * @module seal/owned-ciphertext
 * The base of every vector that owns one SEAL ciphertext (CKKS and BFV): it holds the ciphertext,
 * counts it as live ({@link liveSealObjects}), refuses use after `dispose()`, and deletes it once
 * (the GC cannot see WASM memory, so release is explicit: `dispose()` or `using`).
 */
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeDisposedError } from '../errors.js'
import { countSealObjects } from './scope.js'

/** A disposable owner of one SEAL ciphertext. */
export abstract class OwnedCiphertext implements Disposable {
  #ct: CipherText | undefined
  readonly #what: string

  /**
   * Take ownership of `ct`.
   * @param ct - the ciphertext (deleted by {@link OwnedCiphertext.dispose})
   * @param what - the owner's name in the error a use after disposal throws
   */
  protected constructor(ct: CipherText, what: string) {
    this.#ct = ct
    this.#what = what
    countSealObjects(1)
  }

  /** The underlying SEAL ciphertext (borrowed; do not delete). */
  get ciphertext(): CipherText {
    if (!this.#ct) throw new HeDisposedError({ shortMessage: `${this.#what} was disposed` })
    return this.#ct
  }

  get disposed(): boolean {
    return this.#ct === undefined
  }

  /** Free the ciphertext. Idempotent. */
  dispose(): void {
    if (!this.#ct) return
    this.#ct.delete()
    this.#ct = undefined
    countSealObjects(-1)
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}
