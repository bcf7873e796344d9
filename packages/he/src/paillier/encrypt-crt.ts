/**
 * @module paillier/encrypt-crt
 * Encryption by the holder of the private key, computed modulo p² and q² and recombined by CRT:
 * half-size moduli make every multiplication ~3× cheaper.
 *
 * - `'djn'` (default): the same h^α as public DJN encryption, from tables of h mod p² and mod q².
 * - `'standard'`: ρ ≡ u_p^p (mod p²), ρ ≡ u_q^q (mod q²) for u_p, u_q uniform. r^n mod p² depends
 *   only on r mod p and r ↦ r^n is a bijection from Z_p* onto the order-(p−1) subgroup of
 *   Z*_{p²} (gcd(q, p−1) = 1), as is u ↦ u^p; so ρ has exactly the distribution of r^n for r
 *   uniform in Z_n*, at half the exponent length.
 */
import { aBigIntInKeyRange, shortTypeError } from './describe.js'
import { PaillierCiphertext } from './ciphertext.js'
import { checkEncryptOptions, type EncryptOptions } from './encrypt.js'
import { PaillierPrivateKey } from './keys.js'
import { powModSquare, powPadic } from './padic.js'
import { randomBelow } from '../bigint/bigint-math.js'

function randomUnitBelow(p: bigint): bigint {
  for (;;) {
    const u = randomBelow(p)
    if (u !== 0n) return u
  }
}

/** @internal CRT encryption of a trusted m ∈ [0, n). */
export function encryptCrtRaw(privateKey: PaillierPrivateKey, m: bigint, options: EncryptOptions = {}): bigint {
  const { p, q, pSquared, qSquared, n } = privateKey
  let rp: bigint
  let rq: bigint
  if ((options.method ?? 'djn') === 'djn') {
    const [tp, tq] = privateKey.crtTables(options.window)
    const digits = options.randomness === undefined ? tp.randomDigits() : tp.digitsOf(options.randomness)
    // p-adic digits: (1 + m·n)·(x0 + x1·p) ≡ x0 + p·(x1 + m·q·x0 mod p) (mod p²), as n = p·q
    const [p0, p1] = tp.powDigitsAdic(digits)
    const [q0, q1] = tq.powDigitsAdic(digits)
    const cp = p0 + p * ((p1 + ((m * q) % p) * p0) % p)
    const cq = q0 + q * ((q1 + ((m * p) % q) * q0) % q)
    let d = ((cq - cp) % qSquared) * privateKey.pSquaredInvQSquared % qSquared
    if (d < 0n) d += qSquared
    return cp + pSquared * d
  } else if (options.randomness !== undefined) {
    const r = options.randomness
    rp = powModSquare(r % pSquared, n % (p * (p - 1n)), p)
    rq = powModSquare(r % qSquared, n % (q * (q - 1n)), q)
  } else {
    const [a0, a1] = powPadic(randomUnitBelow(p), p, p)
    const [b0, b1] = powPadic(randomUnitBelow(q), q, q)
    rp = a0 + a1 * p
    rq = b0 + b1 * q
  }
  // (1 + m·n)·ρ mod p² = ρ + n·(m·ρ mod p) ... computed directly on the half-size moduli
  const cp = (rp * ((1n + m * n) % pSquared)) % pSquared
  const cq = (rq * ((1n + m * n) % qSquared)) % qSquared
  let d = ((cq - cp) % qSquared) * privateKey.pSquaredInvQSquared % qSquared
  if (d < 0n) d += qSquared
  return cp + pSquared * d
}

/**
 * Encrypt with the private key (CRT): the same ciphertext distribution as {@link encrypt}, faster.
 *
 * @param privateKey - the private key
 * @param m - the plaintext, 0 ≤ m < n
 * @param options - as for {@link encrypt}
 * @returns the ciphertext under `privateKey.publicKey`
 * @throws TypeError / RangeError on malformed arguments
 * @example
 * ```ts
 * const ct = encryptWithPrivateKey(privateKey, 5n)
 * ```
 */
export function encryptWithPrivateKey(privateKey: PaillierPrivateKey, m: bigint, options?: EncryptOptions): PaillierCiphertext {
  if (!(privateKey instanceof PaillierPrivateKey)) shortTypeError('privateKey', 'a PaillierPrivateKey', privateKey)
  aBigIntInKeyRange(m, 'm', 0n, privateKey.n, '[0, n)')
  const opts = checkEncryptOptions(privateKey.publicKey, options)
  return PaillierCiphertext._trusted(privateKey.publicKey, encryptCrtRaw(privateKey, m, opts), null, 0)
}
