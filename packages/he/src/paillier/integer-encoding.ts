/**
 * @module paillier/integer-encoding
 * Signed big integers in Paillier plaintexts: v ∈ [−(n−1)/2, (n−1)/2] is stored as v mod n and
 * read back centred. A ciphertext made here carries a public bound (the declared `maxAbs`, never
 * the value itself), so sums and scalar products that could wrap past (n−1)/2 are refused before
 * they happen and decryption checks the value against the bound.
 */
import { aBigInt, anObject } from '@krain/core'
import { PaillierOverflowError } from '../errors.js'
import { PaillierCiphertext } from './ciphertext.js'
import { decryptRaw, checkSameKey } from './decrypt.js'
import { checkEncryptOptions, encryptRaw, type EncryptOptions } from './encrypt.js'
import { PaillierPrivateKey, PaillierPublicKey } from './keys.js'
import { shortTypeError } from './describe.js'

const abs = (k: bigint): bigint => (k < 0n ? -k : k)

/**
 * v mod n for a signed v with |v| ≤ (n − 1)/2.
 * @param publicKey - the key
 * @param v - the signed integer
 * @returns the plaintext in [0, n)
 * @throws RangeError when |v| > (n − 1)/2
 * @example
 * ```ts
 * encodeSigned(publicKey, -1n) // n − 1
 * ```
 */
export function encodeSigned(publicKey: PaillierPublicKey, v: bigint): bigint {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  aBigInt(v, 'v')
  if (abs(v) > publicKey.maxSigned) throw new RangeError(`"v" expected |v| ≤ (n − 1)/2, got a ${v.toString(2).length}-bit value`)
  return v < 0n ? v + publicKey.n : v
}

/**
 * The centred value of a plaintext m ∈ [0, n): m if m ≤ (n − 1)/2, else m − n.
 * @param publicKey - the key
 * @param m - the plaintext
 * @returns the signed integer
 * @example
 * ```ts
 * decodeSigned(publicKey, publicKey.n - 1n) // -1n
 * ```
 */
export function decodeSigned(publicKey: PaillierPublicKey, m: bigint): bigint {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  aBigInt(m, 'm')
  if (m < 0n || m >= publicKey.n) throw new RangeError('"m" expected a plaintext in [0, n)')
  return m > publicKey.maxSigned ? m - publicKey.n : m
}

/** Options of {@link encryptInteger}. */
export type EncryptIntegerOptions = EncryptOptions & {
  /** Public bound on |v| (default 2^⌊|n|/2⌋): what overflow checks reason with. */
  maxAbs?: bigint
}

/** Default public bound of a big integer: half the modulus length, leaving the rest as headroom. */
export function defaultIntegerBound(publicKey: PaillierPublicKey): bigint {
  return 1n << BigInt(Math.floor(publicKey.bits / 2))
}

/**
 * Encrypt a signed big integer with a public bound for overflow tracking.
 * @param publicKey - the recipient's key
 * @param v - the integer, |v| ≤ maxAbs
 * @param options - `maxAbs` and encryption options
 * @returns a signed ciphertext (bound = maxAbs)
 * @throws RangeError when |v| > maxAbs or maxAbs > (n − 1)/2
 * @example
 * ```ts
 * const ct = encryptInteger(publicKey, -12345678901234567890n)
 * decryptInteger(privateKey, ct) // -12345678901234567890n
 * ```
 */
export function encryptInteger(publicKey: PaillierPublicKey, v: bigint, options?: EncryptIntegerOptions): PaillierCiphertext {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  aBigInt(v, 'v')
  if (options !== undefined) anObject(options, 'options')
  const maxAbs = options?.maxAbs ?? defaultIntegerBound(publicKey)
  aBigInt(maxAbs, 'options.maxAbs')
  if (maxAbs < 0n || maxAbs > publicKey.maxSigned) throw new RangeError('"options.maxAbs" expected a bigint in [0, (n − 1)/2]')
  if (abs(v) > maxAbs) throw new RangeError(`"v" expected |v| ≤ maxAbs (${maxAbs.toString(2).length} bits), got a ${abs(v).toString(2).length}-bit value`)
  const opts = checkEncryptOptions(publicKey, options)
  return PaillierCiphertext._trusted(publicKey, encryptRaw(publicKey, v < 0n ? v + publicKey.n : v, opts), maxAbs, 0)
}

/**
 * Decrypt a signed ciphertext to its integer (in fixed-point units when fractionBits > 0).
 * @param privateKey - the private key
 * @param ciphertext - a ciphertext under its public key
 * @returns the centred plaintext
 * @throws HeKeyMismatchError when the ciphertext is under another key
 * @throws PaillierOverflowError when the value lies outside the ciphertext's declared bound
 * @example
 * ```ts
 * decryptInteger(privateKey, encryptInteger(publicKey, -5n)) // -5n
 * ```
 */
export function decryptInteger(privateKey: PaillierPrivateKey, ciphertext: PaillierCiphertext): bigint {
  checkSameKey(privateKey, ciphertext)
  const pk = privateKey.publicKey
  const m = decryptRaw(privateKey, ciphertext.value)
  const v = m > pk.maxSigned ? m - pk.n : m
  if (ciphertext.bound !== null && abs(v) > ciphertext.bound)
    throw new PaillierOverflowError({ shortMessage: 'the decrypted value lies outside the ciphertext\'s declared bound', details: 'the ciphertext was not produced by bounded operations on values within their declared range' })
  return v
}
