/**
 * @module paillier/fixed-point
 * Signed fixed-point numbers in Paillier plaintexts: x ↦ round(x · 2^f) with a number of fraction
 * bits f chosen once per encoder (so per key or per use), never per value: python-paillier's
 * EncodedNumber picks an exponent per value and sends it in the clear, which leaks the value's
 * magnitude. Every ciphertext carries a public bound derived from the encoder's declared
 * `maxAbs`; operations that could overflow are refused (see `homomorphic.ts`).
 */
import { aFiniteNumber, anIntInRange, anObject } from '@krain/core'
import { PaillierCiphertext } from './ciphertext.js'
import { checkEncryptOptions, encryptRaw, type EncryptOptions } from './encrypt.js'
import { addPlain as addPlainInt, mulPlain as mulPlainInt } from './homomorphic.js'
import { decryptInteger } from './integer-encoding.js'
import { PaillierPrivateKey, PaillierPublicKey } from './keys.js'
import { deserializeCiphertext } from './serialize.js'
import { shortTypeError } from './describe.js'

/** Options of {@link createFixedPointEncoder}. */
export type FixedPointEncoderOptions = {
  /** The key the encoder is bound to. */
  publicKey: PaillierPublicKey
  /** Fraction bits f: resolution 2^−f. Default 32 (≈ 9.6 decimal digits after the point). */
  precisionBits?: number
  /** Largest |x| this encoder accepts; the public bound of each ciphertext. Default 2^53. */
  maxAbs?: number
}

/** Fixed-point scaled integer round(x · 2^bits), exact for every finite double. */
function scale(x: number, bits: number, name: string): bigint {
  let y = x
  let b = bits
  // multiply by 2^bits in steps that stay in range (exact: powers of two)
  while (b > 0) {
    const s = Math.min(b, 512)
    y *= 2 ** s
    b -= s
  }
  if (!Number.isFinite(y)) throw new RangeError(`"${name}" is too large to encode with ${bits} fraction bits`)
  return BigInt(Math.round(y))
}

/** v / 2^bits as the nearest double. */
function unscale(v: bigint, bits: number): number {
  // keep 64 significant bits of the quotient so the final rounding is the only one that matters
  const len = (v < 0n ? -v : v).toString(2).length
  const shift = Math.max(0, len - 64)
  let y = Number(v >> BigInt(shift))
  let e = shift - bits
  while (e > 0) {
    const s = Math.min(e, 512)
    y *= 2 ** s
    e -= s
  }
  while (e < 0) {
    const s = Math.min(-e, 512)
    y /= 2 ** s
    e += s
  }
  return y
}

/**
 * A fixed-point encoder bound to one key (create with {@link createFixedPointEncoder}).
 */
export class PaillierFixedPointEncoder {
  readonly publicKey: PaillierPublicKey
  readonly precisionBits: number
  readonly maxAbs: number
  /** Public bound of an encoded value: ⌈maxAbs · 2^f⌉. */
  readonly maxEncoded: bigint

  /** @internal use {@link createFixedPointEncoder} */
  constructor(publicKey: PaillierPublicKey, precisionBits: number, maxAbs: number) {
    this.publicKey = publicKey
    this.precisionBits = precisionBits
    this.maxAbs = maxAbs
    this.maxEncoded = scale(maxAbs, precisionBits, 'maxAbs') + 1n
    if (this.maxEncoded > publicKey.maxSigned) throw new RangeError('"maxAbs" · 2^precisionBits does not fit in the plaintext space of this key')
  }

  /**
   * round(x · 2^f) as a signed bigint.
   * @param x - a finite number with |x| ≤ maxAbs
   * @returns the scaled integer
   * @throws RangeError when x is not finite or |x| > maxAbs
   */
  encode(x: number): bigint {
    aFiniteNumber(x, 'x')
    if (Math.abs(x) > this.maxAbs) throw new RangeError(`"x" expected |x| ≤ ${this.maxAbs}, got ${x}`)
    return scale(x, this.precisionBits, 'x')
  }

  /**
   * v / 2^fractionBits as the nearest number.
   * @param v - a signed scaled integer
   * @param fractionBits - its fraction bits (default: this encoder's)
   * @returns the number
   */
  decode(v: bigint, fractionBits: number = this.precisionBits): number {
    if (typeof v !== 'bigint') shortTypeError('v', 'a bigint', v)
    return unscale(v, anIntInRange(fractionBits, 'fractionBits', 0, 4096))
  }

  /**
   * Encrypt a number.
   * @param x - a finite number with |x| ≤ maxAbs
   * @param options - encryption options
   * @returns a ciphertext with fractionBits = f and bound = maxEncoded
   * @example
   * ```ts
   * const ct = encoder.encrypt(-3.25)
   * ```
   */
  encrypt(x: number, options?: EncryptOptions): PaillierCiphertext {
    const v = this.encode(x)
    const opts = checkEncryptOptions(this.publicKey, options)
    return PaillierCiphertext._trusted(this.publicKey, encryptRaw(this.publicKey, v < 0n ? v + this.publicKey.n : v, opts), this.maxEncoded, this.precisionBits)
  }

  /**
   * Decrypt to a number (divides by 2^fractionBits of the ciphertext).
   * @param privateKey - the private key
   * @param ciphertext - a ciphertext under its public key
   * @returns the number
   * @throws HeKeyMismatchError, PaillierOverflowError (value outside its declared bound)
   */
  decrypt(privateKey: PaillierPrivateKey, ciphertext: PaillierCiphertext): number {
    return unscale(decryptInteger(privateKey, ciphertext), ciphertext.fractionBits)
  }

  /**
   * Load a ciphertext this encoder's way: the bound is the encoder's `maxEncoded` (what a fresh
   * encryption of |x| ≤ maxAbs has), or the `bound` the receiver states for a sum it expects; the
   * bound written in the JSON is never used (see `deserializeCiphertext`).
   * @param input - `serializeCiphertext`'s JSON
   * @param options - `bound`: the receiver's bound in encoded units (e.g. k · maxEncoded for a sum of k)
   * @returns the ciphertext, with this encoder's fraction bits
   * @throws HeSerializationError, HeKeyMismatchError, PaillierInvalidCiphertextError,
   *   HeScaleError (other fraction bits)
   * @example
   * ```ts
   * const total = sum(uploads.map((json) => encoder.deserialize(json)))
   * ```
   */
  deserialize(input: string | object, options?: { bound?: bigint }): PaillierCiphertext {
    return deserializeCiphertext(input, this.publicKey, { bound: options?.bound ?? this.maxEncoded, fractionBits: this.precisionBits })
  }

  /**
   * Enc(a + x) for a plaintext number x (encoded at the ciphertext's fraction bits).
   * @param ciphertext - a ciphertext of this encoder's key
   * @param x - the number to add
   * @returns the ciphertext of the sum
   * @throws PaillierOverflowError
   */
  addPlain(ciphertext: PaillierCiphertext, x: number): PaillierCiphertext {
    aFiniteNumber(x, 'x')
    return addPlainInt(ciphertext, scale(x, ciphertext.fractionBits, 'x'))
  }

  /**
   * Enc(a · x) for a plaintext number x: x is encoded with f fraction bits, so the result has
   * the ciphertext's fraction bits + f (decrypt handles it).
   * @param ciphertext - a ciphertext of this encoder's key
   * @param x - the scalar, |x| ≤ maxAbs
   * @returns the ciphertext of the product
   * @throws PaillierOverflowError
   */
  mulPlain(ciphertext: PaillierCiphertext, x: number): PaillierCiphertext {
    const k = this.encode(x)
    const r = mulPlainInt(ciphertext, k)
    return PaillierCiphertext._trusted(r.publicKey, r.value, r.bound, r.fractionBits + this.precisionBits)
  }
}

/**
 * Create a fixed-point encoder for one key, with its precision fixed for every value.
 * @param options - `publicKey`, `precisionBits` (default 32), `maxAbs` (default 2^53)
 * @returns the encoder
 * @throws TypeError / RangeError on malformed options
 * @example
 * ```ts
 * const encoder = createFixedPointEncoder({ publicKey, precisionBits: 32 })
 * encoder.decrypt(privateKey, encoder.encrypt(-1.5)) // -1.5
 * ```
 */
export function createFixedPointEncoder(options: FixedPointEncoderOptions): PaillierFixedPointEncoder {
  anObject(options, 'options')
  if (!(options.publicKey instanceof PaillierPublicKey)) shortTypeError('options.publicKey', 'a PaillierPublicKey', options.publicKey)
  const precisionBits = anIntInRange(options.precisionBits ?? 32, 'options.precisionBits', 0, 512)
  const maxAbs = aFiniteNumber(options.maxAbs ?? 2 ** 53, 'options.maxAbs')
  if (maxAbs <= 0) throw new RangeError(`"options.maxAbs" expected a positive number, got ${maxAbs}`)
  return new PaillierFixedPointEncoder(options.publicKey, precisionBits, maxAbs)
}
