/**
 * @module paillier/primes
 * Probable-prime test and random prime generation for Paillier keys.
 *
 * Candidates start at a uniformly random odd number with its two top bits set (so the product
 * of two such primes has exactly twice their length) and move up by 2 while a sieve of small
 * primes rejects them cheaply (the incremental search of OpenSSL's BN_generate_prime); the
 * survivors face Miller–Rabin with base 2 then random bases (FIPS 186-5, appendix B.3).
 * With our sliding-window `modPow` this is several times faster than bigint-crypto-utils'
 * `prime()`, which paillier-bigint uses (measured in benchmarks/paillier.ts, "keygen").
 */
import { modPow, randomBelow, randomBits } from '../bigint/bigint-math.js'

const SMALL_PRIMES: number[] = (() => {
  const limit = 1 << 14
  const sieve = new Uint8Array(limit)
  const out: number[] = []
  for (let i = 3; i < limit; i += 2) {
    if (sieve[i]) continue
    out.push(i)
    for (let j = i * i; j < limit; j += 2 * i) sieve[j] = 1
  }
  return out
})()

/** Miller–Rabin rounds giving error ≤ 2⁻¹²⁸ for random candidates of `bits` bits (FIPS 186-5, table B.1, rounded up). */
export function millerRabinRounds(bits: number): number {
  if (bits >= 1536) return 6
  if (bits >= 1024) return 8
  if (bits >= 512) return 12
  return 40
}

function millerRabin(n: bigint, d: bigint, s: number, base: bigint): boolean {
  const nm1 = n - 1n
  let x = modPow(base, d, n)
  if (x === 1n || x === nm1) return true
  for (let i = 1; i < s; i++) {
    x = (x * x) % n
    if (x === nm1) return true
    if (x === 1n) return false
  }
  return false
}

/**
 * True when `n` is (very probably) prime: trial division by the primes below 2¹⁴, then
 * Miller–Rabin with base 2 and `rounds` random bases.
 * @param n - the candidate
 * @param rounds - random-base rounds (default from {@link millerRabinRounds})
 */
export function isProbablePrime(n: bigint, rounds?: number): boolean {
  if (n < 2n) return false
  if (n < 4n) return true
  if ((n & 1n) === 0n) return false
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p)
    if (n === bp) return true
    if (n % bp === 0n) return false
  }
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  if (!millerRabin(n, d, s, 2n)) return false
  const t = rounds ?? millerRabinRounds(n.toString(2).length)
  for (let i = 0; i < t; i++) {
    const a = 2n + randomBelow(n - 3n)
    if (!millerRabin(n, d, s, a)) return false
  }
  return true
}

/** The smallest prime factor of `n` below 2¹⁴, or 0 when it has none (n > 2¹⁴). */
export function smallFactor(n: bigint): number {
  if ((n & 1n) === 0n) return 2
  for (const p of SMALL_PRIMES) if (n !== BigInt(p) && n % BigInt(p) === 0n) return p
  return 0
}

/** A random prime of exactly `bits` bits whose two top bits are set. Internal (bits ≥ 16). */
export function randomPrime(bits: number): bigint {
  const gen = primeSearch(bits)
  for (;;) {
    const r = gen.next()
    if (r.done) return r.value
  }
}

/** Generator form of {@link randomPrime}: yields between Miller–Rabin candidates. */
export function* primeSearch(bits: number): Generator<void, bigint, void> {
  const top = (1n << BigInt(bits - 1)) | (1n << BigInt(bits - 2))
  const span = 1 << 20
  for (;;) {
    const start = randomBits(bits) | top | 1n
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)))
    for (let delta = 0; delta < span; delta += 2) {
      let composite = false
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + delta) % SMALL_PRIMES[i]! === 0) {
          composite = true
          break
        }
      }
      if (composite) continue
      const candidate = start + BigInt(delta)
      if (candidate.toString(2).length !== bits) break
      if (candidate <= BigInt(SMALL_PRIMES[SMALL_PRIMES.length - 1]!)) continue
      if (isProbablePrime(candidate)) return candidate
      yield
    }
  }
}
