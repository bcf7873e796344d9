/**
 * @module paillier/homomorphic
 * Homomorphic operations: Enc(a)·Enc(b) = Enc(a + b), Enc(a)^k = Enc(k·a), Enc(a)⁻¹ = Enc(−a).
 *
 * Signed ciphertexts (bound ≠ null) carry a public bound on |plaintext|; every operation
 * propagates it and refuses (PaillierOverflowError) a result whose bound would pass (n − 1)/2, the
 * point where the centred plaintext would wrap. Raw ciphertexts (bound = null) compute mod n.
 *
 * The results are not re-randomised: a sum reveals nothing of its operands to anyone without
 * the private key, but before handing a result to the key holder, {@link rerandomize} it if its
 * randomness must not be linkable to the inputs.
 */
import { aBigInt, anArray } from '@krain/core'
import { HeKeyMismatchError, PaillierOverflowError, HeScaleError } from '../errors.js'
import { PaillierCiphertext } from './ciphertext.js'
import { checkEncryptOptions, encryptRaw, type EncryptOptions } from './encrypt.js'
import { describeBigint, shortTypeError } from './describe.js'
import { PaillierPackedCiphertext } from './packed-ciphertext.js'
import { modInverse } from '../bigint/bigint-math.js'
import { powModSquare } from './padic.js'

function aCiphertext(x: unknown, name: string): PaillierCiphertext {
  if (x instanceof PaillierPackedCiphertext) shortTypeError(name, "a PaillierCiphertext (a packed ciphertext's slots carry into each other under generic arithmetic: use the packer's add / sum / mulPlain)", 'a PaillierPackedCiphertext')
  if (!(x instanceof PaillierCiphertext)) shortTypeError(name, 'a PaillierCiphertext', x)
  return x
}

function checkCompatible(a: PaillierCiphertext, b: PaillierCiphertext): void {
  if (a.publicKey.n !== b.publicKey.n) throw new HeKeyMismatchError({ shortMessage: 'the ciphertexts are under different keys' })
  // a raw (mod n) operand would turn a bounded sum into an unchecked one
  if ((a.bound === null) !== (b.bound === null))
    throw new HeScaleError({ shortMessage: 'cannot combine a raw (mod n) ciphertext with a signed, bounded one', details: 'encrypt both with encryptInteger / an encoder, or both with encrypt' })
  if (a.fractionBits !== b.fractionBits)
    throw new HeScaleError({ shortMessage: `cannot combine ciphertexts with ${a.fractionBits} and ${b.fractionBits} fraction bits` })
}

function checkBound(a: PaillierCiphertext, bound: bigint | null, what: string): bigint | null {
  if (bound !== null && bound > a.publicKey.maxSigned)
    throw new PaillierOverflowError({ shortMessage: `${what} could overflow the plaintext space`, details: `the result's bound ${describeBigint(bound)} exceeds (n − 1)/2` })
  return bound
}

const abs = (k: bigint): bigint => (k < 0n ? -k : k)

/**
 * Enc(a + b).
 * @param a - a ciphertext
 * @param b - a ciphertext under the same key and scale
 * @returns the ciphertext of the sum
 * @throws HeKeyMismatchError, HeScaleError, PaillierOverflowError
 * @example
 * ```ts
 * decrypt(privateKey, add(encrypt(publicKey, 2n), encrypt(publicKey, 3n))) // 5n
 * ```
 */
export function add(a: PaillierCiphertext, b: PaillierCiphertext): PaillierCiphertext {
  aCiphertext(a, 'a')
  aCiphertext(b, 'b')
  checkCompatible(a, b)
  const bound = checkBound(a, a.bound !== null && b.bound !== null ? a.bound + b.bound : null, 'the sum')
  return PaillierCiphertext._trusted(a.publicKey, (a.value * b.value) % a.publicKey.nSquared, bound, a.fractionBits)
}

/**
 * Enc(−a) (a modular inverse mod n²).
 * @param a - a ciphertext
 * @returns the ciphertext of the negation
 * @example
 * ```ts
 * const minusFive = negate(encrypt(publicKey, 5n)) // decrypts to n − 5 (raw) 
 * ```
 */
export function negate(a: PaillierCiphertext): PaillierCiphertext {
  aCiphertext(a, 'a')
  return PaillierCiphertext._trusted(a.publicKey, modInverse(a.value, a.publicKey.nSquared)!, a.bound, a.fractionBits)
}

/**
 * Enc(a − b).
 * @param a - a ciphertext
 * @param b - a ciphertext under the same key and scale
 * @returns the ciphertext of the difference
 * @throws HeKeyMismatchError, HeScaleError, PaillierOverflowError
 * @example
 * ```ts
 * sub(encrypt(publicKey, 9n), encrypt(publicKey, 4n)) // Enc(5)
 * ```
 */
export function sub(a: PaillierCiphertext, b: PaillierCiphertext): PaillierCiphertext {
  aCiphertext(a, 'a')
  aCiphertext(b, 'b')
  checkCompatible(a, b)
  return add(a, negate(b))
}

/**
 * Enc(a + k) for a plaintext integer k (in the ciphertext's fixed-point units).
 * @param a - a ciphertext
 * @param k - the plaintext to add (any integer; reduced mod n for raw ciphertexts)
 * @returns the ciphertext of the sum
 * @throws PaillierOverflowError when a signed result could overflow
 * @example
 * ```ts
 * addPlain(encrypt(publicKey, 2n), 40n) // Enc(42)
 * ```
 */
export function addPlain(a: PaillierCiphertext, k: bigint): PaillierCiphertext {
  aCiphertext(a, 'a')
  aBigInt(k, 'k')
  const { n, nSquared } = a.publicKey
  const bound = checkBound(a, a.bound === null ? null : a.bound + abs(k), 'the sum')
  let km = k % n
  if (km < 0n) km += n
  // c·(1 + k·n) ≡ c + n·(k·c mod n) (mod n²)
  const c = (a.value + n * ((km * a.value) % n)) % nSquared
  return PaillierCiphertext._trusted(a.publicKey, c, bound, a.fractionBits)
}

/**
 * Enc(k·a) for a plaintext integer k (scalar multiplication: c^k mod n²).
 * @param a - a ciphertext
 * @param k - the scalar (negative allowed)
 * @returns the ciphertext of the product (same fraction bits)
 * @throws PaillierOverflowError when a signed result could overflow
 * @example
 * ```ts
 * mulPlain(encrypt(publicKey, 6n), 7n) // Enc(42)
 * ```
 */
export function mulPlain(a: PaillierCiphertext, k: bigint): PaillierCiphertext {
  aCiphertext(a, 'a')
  aBigInt(k, 'k')
  const { n, nSquared } = a.publicKey
  const bound = checkBound(a, a.bound === null ? null : a.bound * abs(k), 'the product')
  let e = k
  let base = a.value
  if (a.bound === null) {
    e = k % n
    if (e < 0n) e += n
    // a short negative scalar is cheaper as an inverse then a short power
    if (n - e < e) {
      base = modInverse(base, nSquared)!
      e = n - e
    }
  } else if (k < 0n) {
    base = modInverse(base, nSquared)!
    e = -k
  }
  return PaillierCiphertext._trusted(a.publicKey, powModSquare(base, e, n), bound, a.fractionBits)
}

/**
 * Enc(Σ aᵢ) of one or more ciphertexts.
 * @param items - ciphertexts under one key and scale
 * @returns the ciphertext of the sum
 * @throws RangeError on an empty list; HeKeyMismatchError, HeScaleError, PaillierOverflowError
 * @example
 * ```ts
 * sum([encrypt(publicKey, 1n), encrypt(publicKey, 2n), encrypt(publicKey, 3n)]) // Enc(6)
 * ```
 */
export function sum(items: readonly PaillierCiphertext[]): PaillierCiphertext {
  const list = anArray<PaillierCiphertext>(items, 'items', 1)
  const first = aCiphertext(list[0], 'items[0]')
  const n2 = first.publicKey.nSquared
  let c = first.value
  let bound = first.bound
  for (let i = 1; i < list.length; i++) {
    const x = aCiphertext(list[i], `items[${i}]`)
    checkCompatible(first, x)
    c = (c * x.value) % n2
    bound = bound !== null && x.bound !== null ? bound + x.bound : null
  }
  return PaillierCiphertext._trusted(first.publicKey, c, checkBound(first, bound, 'the sum'), first.fractionBits)
}

/**
 * A fresh-looking ciphertext of the same plaintext (multiplies by an encryption of 0), so the
 * result of a computation cannot be linked to its inputs' randomness.
 * @param a - a ciphertext
 * @param options - encryption options for the zero
 * @returns an unlinkable ciphertext of the same plaintext
 * @example
 * ```ts
 * const fresh = rerandomize(add(x, y))
 * ```
 */
export function rerandomize(a: PaillierCiphertext, options?: EncryptOptions): PaillierCiphertext {
  aCiphertext(a, 'a')
  const zero = encryptRaw(a.publicKey, 0n, checkEncryptOptions(a.publicKey, options))
  return PaillierCiphertext._trusted(a.publicKey, (a.value * zero) % a.publicKey.nSquared, a.bound, a.fractionBits)
}
