/**
 * @module paillier/encrypt
 * Public-key encryption, c = (1 + m·n) · ρ mod n², with two ways to draw the randomiser ρ:
 *
 * - `'djn'` (default): ρ = h^α with α a uniformly random ⌈|n|/2⌉-bit integer and
 *   h = (−x² mod n)^n mod n² (Damgård, Jurik, Nielsen, "A generalization of Paillier's public-key
 *   system with applications to electronic voting", IJIS 2010, §4.1). With the fixed-base table
 *   of h it costs ⌈|n|/2⌉ / 8 multiplications mod n² and no squaring. Semantic security rests on
 *   DCR plus the assumption that h^α with a short α is indistinguishable from a random n-th residue
 *   (see the README, "Security").
 * - `'standard'`: ρ = r^n for r uniform in Z_n* (Paillier 1999), security from DCR alone, about
 *   |n| squarings mod n².
 *
 * g = n + 1 makes g^m = 1 + m·n mod n², so no exponentiation is spent on the message.
 */
import { anIntInRange, anObject } from '@krain/core'
import { aBigIntInKeyRange, shortTypeError } from './describe.js'
import { PaillierCiphertext } from './ciphertext.js'
import { PaillierPublicKey } from './keys.js'
import { gcd, randomBelow } from '../bigint/bigint-math.js'
import { powPadic } from './padic.js'

/** Options of {@link encrypt}. */
export type EncryptOptions = {
  /** `'djn'` (fixed-base short exponent, default) or `'standard'` (r^n). */
  method?: 'djn' | 'standard'
  /** Window of the DJN fixed-base table (default: `defaultTableWindow(bits)`, 9 for 2048-bit keys, 8 for 3072). */
  window?: number
  /**
   * Fixed randomness, for known-answer tests only: r ∈ Z_n* for `'standard'`, α for `'djn'`.
   * Reusing randomness destroys semantic security.
   */
  randomness?: bigint
}

/** @internal (1 + m·n)·ρ mod n² without re-validation. */
export function encryptRaw(publicKey: PaillierPublicKey, m: bigint, options: EncryptOptions = {}): bigint {
  const { n } = publicKey
  if ((options.method ?? 'djn') === 'djn') {
    const table = publicKey.djnTable(options.window)
    const digits = options.randomness === undefined ? table.randomDigits() : table.digitsOf(options.randomness)
    // ρ = ρ0 + ρ1·n, and (1 + m·n)·ρ ≡ ρ0 + n·(ρ1 + m·ρ0 mod n) (mod n²)
    const [r0, r1] = table.powDigitsAdic(digits)
    return r0 + n * ((r1 + m * r0) % n)
  }
  let r = options.randomness
  if (r === undefined) {
    do r = randomBelow(n)
    while (r === 0n || gcd(r, n) !== 1n)
  }
  const [r0, r1] = powPadic(r, n, n)
  return r0 + n * ((r1 + m * r0) % n)
}

/** @internal Check encryption options. */
export function checkEncryptOptions(publicKey: PaillierPublicKey, options: EncryptOptions | undefined): EncryptOptions {
  if (options === undefined) return {}
  anObject(options, 'options')
  const method = options.method ?? 'djn'
  if (method !== 'djn' && method !== 'standard') shortTypeError('options.method', "'djn' or 'standard'", method)
  if (options.window !== undefined) anIntInRange(options.window, 'options.window', 1, 12)
  if (options.randomness !== undefined) {
    if (method === 'djn') aBigIntInKeyRange(options.randomness, 'options.randomness', 0n, 1n << BigInt(publicKey.alphaBits), `[0, 2^${publicKey.alphaBits})`)
    else {
      aBigIntInKeyRange(options.randomness, 'options.randomness', 1n, publicKey.n, '[1, n)')
      if (gcd(options.randomness, publicKey.n) !== 1n) throw new RangeError('"options.randomness" expected r coprime to n')
    }
  }
  return options
}

/**
 * Encrypt a plaintext m ∈ [0, n) under a public key (textbook arithmetic mod n; for signed,
 * fixed-point or packed values use the encoders, which track overflow).
 *
 * @param publicKey - the recipient's public key
 * @param m - the plaintext, 0 ≤ m < n
 * @param options - method (`'djn'` default, `'standard'`), table window, fixed randomness (tests only)
 * @returns the ciphertext (bound `null`: raw Z_n plaintext)
 * @throws TypeError / RangeError on malformed arguments
 * @example
 * ```ts
 * const ct = encrypt(publicKey, 42n)
 * decrypt(privateKey, ct) // 42n
 * ```
 */
export function encrypt(publicKey: PaillierPublicKey, m: bigint, options?: EncryptOptions): PaillierCiphertext {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  aBigIntInKeyRange(m, 'm', 0n, publicKey.n, '[0, n)')
  const opts = checkEncryptOptions(publicKey, options)
  return PaillierCiphertext._trusted(publicKey, encryptRaw(publicKey, m, opts), null, 0)
}
