/**
 * @module paillier/ciphertext
 * A Paillier ciphertext: an element of Z*_{n²} with its key and two pieces of public metadata
 * that never depend on the plaintext — a bound on the magnitude of a signed plaintext (so an
 * overflow is refused before it happens instead of decrypting to garbage) and the number of
 * fixed-point fraction bits (fixed per encoder, unlike python-paillier's per-value exponent).
 */
import { aNonNegativeInt } from '@krain/core'
import { PaillierInvalidCiphertextError } from '../errors.js'
import { PaillierPublicKey } from './keys.js'
import { describeBigint, shortTypeError } from './describe.js'
import { gcd } from '../bigint/bigint-math.js'

/** Public metadata of a ciphertext. */
export type PaillierCiphertextMeta = {
  /**
   * Upper bound on |m| of the signed plaintext m ∈ [−maxSigned, maxSigned], tracked through
   * homomorphic operations; `null` for raw plaintexts of Z_n (textbook arithmetic mod n).
   */
  bound?: bigint | null
  /** Fixed-point fraction bits of the plaintext (0 for integers). */
  fractionBits?: number
}

const TRUSTED: unique symbol = Symbol('trusted')

/** Check that `c` is a ciphertext of Z*_{n²}; throws PaillierInvalidCiphertextError otherwise. */
export function checkCiphertextValue(publicKey: PaillierPublicKey, c: bigint, name = 'ciphertext'): bigint {
  if (typeof c !== 'bigint') shortTypeError(name, 'a bigint', c)
  if (c <= 0n || c >= publicKey.nSquared) throw new PaillierInvalidCiphertextError({ shortMessage: `${name} is not in [1, n²)` })
  if (gcd(c, publicKey.n) !== 1n) throw new PaillierInvalidCiphertextError({ shortMessage: `${name} is not coprime to n` })
  return c
}

/**
 * A Paillier ciphertext under `publicKey`.
 *
 * @example
 * ```ts
 * const ct = new PaillierCiphertext(publicKey, c) // validates c ∈ Z*_{n²}
 * ```
 */
export class PaillierCiphertext {
  readonly publicKey: PaillierPublicKey
  /** The ciphertext c ∈ Z*_{n²}. */
  readonly value: bigint
  /** Public bound on |plaintext| (signed), or `null` for raw Z_n plaintexts. */
  readonly bound: bigint | null
  /** Fixed-point fraction bits (0 for integers). */
  readonly fractionBits: number

  /**
   * @param publicKey - the key the ciphertext is under
   * @param value - c, checked to be in Z*_{n²}
   * @param meta - public metadata
   * @throws TypeError / RangeError on malformed arguments
   * @throws PaillierInvalidCiphertextError (`HE_INVALID_CIPHERTEXT`) when c ∉ Z*_{n²}
   */
  constructor(publicKey: PaillierPublicKey, value: bigint, meta: PaillierCiphertextMeta = {}, trusted?: typeof TRUSTED) {
    if (trusted !== TRUSTED) {
      if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
      checkCiphertextValue(publicKey, value)
      const b = meta.bound ?? null
      if (b !== null) {
        if (typeof b !== 'bigint') shortTypeError('bound', 'a bigint or null', b)
        if (b < 0n || b > publicKey.maxSigned) throw new RangeError(`"bound" expected a bigint in [0, (n-1)/2], got ${describeBigint(b)}`)
      }
      aNonNegativeInt(meta.fractionBits ?? 0, 'fractionBits')
    }
    this.publicKey = publicKey
    this.value = value
    this.bound = meta.bound ?? null
    this.fractionBits = meta.fractionBits ?? 0
  }

  /** @internal Construct without validation (results of our own operations). */
  static _trusted(publicKey: PaillierPublicKey, value: bigint, bound: bigint | null, fractionBits: number): PaillierCiphertext {
    return new PaillierCiphertext(publicKey, value, { bound, fractionBits }, TRUSTED)
  }
}
