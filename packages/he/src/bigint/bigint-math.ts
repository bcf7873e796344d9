/**
 * @module bigint/bigint-math
 * The package's one bigint toolbox (Paillier and ElGamal share it): bit length, gcd, modular
 * inverse, a left-to-right sliding-window exponentiation, CRT, and uniform sampling from the
 * platform CSPRNG (`crypto.getRandomValues`).
 *
 * V8's `BigInt` multiplies with Karatsuba and divides with Burnikel–Ziegler, so a plain
 * `a * b % m` beats Montgomery or Barrett reduction written in JS (measured on Node 20); what
 * is left to win is the number of multiplications, which the sliding window cuts to about
 * `bits + bits / (w + 1)` against `1.5 · bits` for the binary method used by bigint-crypto-utils.
 *
 * Security: none of this is constant-time (see the package README, "Security"): timing may leak
 * information about exponents on a shared machine.
 */

/** Number of bits of `x` (x ≥ 0); 0 for 0. */
export function bitLength(x: bigint): number {
  if (x === 0n) return 0
  return x.toString(16).length * 4 - (Math.clz32(parseInt(x.toString(16)[0]!, 16)) - 28)
}

/** Non-negative remainder of `a` modulo `m` (m > 0). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m
  return r < 0n ? r + m : r
}

/** Greatest common divisor of two non-negative integers (Euclid with native division). */
export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a
  b = b < 0n ? -b : b
  while (b !== 0n) {
    const t = a % b
    a = b
    b = t
  }
  return a
}

/**
 * Inverse of `a` modulo `m`, or `undefined` when gcd(a, m) ≠ 1. Extended Euclid; the quotient
 * steps are native divisions, which keeps a 4096-bit inverse around a millisecond.
 */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let r0 = m
  let r1 = mod(a, m)
  let t0 = 0n
  let t1 = 1n
  while (r1 !== 0n) {
    const q = r0 / r1
    const r2 = r0 - q * r1
    r0 = r1
    r1 = r2
    const t2 = t0 - q * t1
    t0 = t1
    t1 = t2
  }
  if (r0 !== 1n) return undefined
  return t0 < 0n ? t0 + m : t0
}

/** Window width for a sliding-window exponentiation with an exponent of `bits` bits. */
function windowFor(bits: number): number {
  if (bits <= 24) return 1
  if (bits <= 80) return 3
  if (bits <= 240) return 4
  if (bits <= 672) return 5
  return 6
}

/**
 * `base ^ exponent mod modulus` for exponent ≥ 0 and modulus > 1, left-to-right sliding window
 * over odd powers. Internal: trusts its input.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n
  let b = base % modulus
  if (b < 0n) b += modulus
  if (exponent === 0n) return 1n
  if (exponent === 1n) return b
  const bits = exponent.toString(2)
  const w = windowFor(bits.length)
  // odd powers b^1, b^3, ..., b^(2^w - 1)
  const odd: bigint[] = [b]
  if (w > 1) {
    const b2 = (b * b) % modulus
    for (let i = 1; i < 1 << (w - 1); i++) odd.push((odd[i - 1]! * b2) % modulus)
  }
  let result = 1n
  let started = false
  let i = 0
  const L = bits.length
  while (i < L) {
    if (bits.charCodeAt(i) === 48) {
      if (started) result = (result * result) % modulus
      i++
      continue
    }
    // longest window starting at i, ending in a 1, of at most w bits
    let j = Math.min(i + w, L) - 1
    while (bits.charCodeAt(j) === 48) j--
    let v = 0
    for (let k = i; k <= j; k++) {
      v = (v << 1) | (bits.charCodeAt(k) - 48)
      if (started) result = (result * result) % modulus
    }
    result = started ? (result * odd[v >> 1]!) % modulus : odd[v >> 1]!
    started = true
    i = j + 1
  }
  return result
}

/** Chinese remaindering of `x ≡ a (mod p)`, `x ≡ b (mod q)` given `pInvQ = p⁻¹ mod q`. */
export function crt(a: bigint, p: bigint, b: bigint, q: bigint, pInvQ: bigint): bigint {
  let d = ((b - a) % q) * pInvQ % q
  if (d < 0n) d += q
  return a + p * d
}

const MAX_CHUNK = 65536 // getRandomValues refuses more than 64 KiB at once

/** `bits` uniformly random bits as a non-negative bigint (< 2^bits). */
export function randomBits(bits: number): bigint {
  if (bits <= 0) return 0n
  const bytes = new Uint8Array(Math.ceil(bits / 8))
  for (let o = 0; o < bytes.length; o += MAX_CHUNK) crypto.getRandomValues(bytes.subarray(o, Math.min(o + MAX_CHUNK, bytes.length)))
  const extra = bytes.length * 8 - bits
  bytes[0]! &= 0xff >> extra
  let hex = ''
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16)
  return BigInt('0x' + hex)
}

/** A uniformly random integer in [0, max) by rejection sampling (max ≥ 1). */
export function randomBelow(max: bigint): bigint {
  const bits = max.toString(2).length
  for (;;) {
    const r = randomBits(bits)
    if (r < max) return r
  }
}

/** A uniformly random integer in [min, max) (max > min). */
export function randomBigInt(min: bigint, max: bigint): bigint {
  return min + randomBelow(max - min)
}
