/**
 * @module field
 * The share field: residues modulo two 31-bit primes, combined by the Chinese remainder theorem
 * into one ring Z_M with M = P1·P2 ≈ 2^62 (signed range ±2^61, so every aggregate up to 2^60 fits).
 *
 * Why two word-sized primes instead of one 62-bit prime or BN254: every residue is < 2^31, so
 * `residue × small` (Horner with evaluation points 1..n) and `residue + residue` are exact in a
 * double, and a Shamir sharing of a long vector is a handful of tight loops over typed arrays
 * (~2–4 M values/s per core, against 0.14 M/s for BigInt arithmetic mod 2^61−1). A full
 * `residue × residue` product (Lagrange coefficients, only at reconstruction) is split into
 * 16-bit halves so every intermediate stays below 2^53 — exact, see {@link mulMod}.
 *
 * Shamir sharing over Z_M is two independent sharings, one per prime field; reconstruction is done
 * per prime and the residues are recombined by CRT (Garner).
 */

/** The first prime, 2^31 − 1 (a Mersenne prime). */
export const P1 = 2147483647
/** The second prime, 2^31 − 19. */
export const P2 = 2147483629
/** The primes of the residue system, in order. */
export const PRIMES: readonly number[] = [P1, P2]
/** The modulus of the aggregate ring, P1·P2 ≈ 2^62. */
export const MODULUS: bigint = BigInt(P1) * BigInt(P2)
/** Largest magnitude of a signed aggregate: ⌊(M − 1)/2⌋ ≈ 2^61. */
export const MAX_ABS_AGGREGATE: bigint = (MODULUS - 1n) / 2n
/** Bytes one field element takes on the wire: two little-endian uint32 residues. */
export const ELEMENT_BYTES = 8
/** Bits of information in one element of Z_M (log2 M). */
export const ELEMENT_BITS = Math.log2(P1) + Math.log2(P2)

/** `a mod p` for a non-negative integer double `a < 2^53`. Exact. */
export function reduce(a: number, p: number): number {
  const r = a - Math.floor(a / p) * p
  return r < 0 ? r + p : r >= p ? r - p : r
}

/**
 * `a·b mod p` for residues `a, b < p < 2^31`, exact in doubles: `b` is split into 15- and 16-bit
 * halves so no intermediate reaches 2^53.
 */
export function mulMod(a: number, b: number, p: number): number {
  const bh = Math.floor(b / 65536)
  const bl = b - bh * 65536
  return reduce(reduce(a * bh, p) * 65536 + a * bl, p)
}

/** `a^e mod p`. */
export function powMod(a: number, e: number, p: number): number {
  let r = 1
  let b = reduce(a, p)
  while (e > 0) {
    if (e & 1) r = mulMod(r, b, p)
    b = mulMod(b, b, p)
    e = Math.floor(e / 2)
  }
  return r
}

/** `a^−1 mod p` (Fermat; `a ≢ 0`). */
export function invMod(a: number, p: number): number {
  return powMod(a, p - 2, p)
}

/** Signed integer (safe integer) → residue mod p. */
export function toResidue(z: number, p: number): number {
  const r = z % p
  return r < 0 ? r + p : r
}

/** P1^−1 mod P2, for Garner's recombination. */
const P1_INV_MOD_P2 = invMod(P1 % P2, P2)
const BIG_P1 = BigInt(P1)

/**
 * Recombine residues `(r1 mod P1, r2 mod P2)` into the signed integer in (−M/2, M/2).
 * @returns a bigint of magnitude ≤ {@link MAX_ABS_AGGREGATE}
 */
export function crtSigned(r1: number, r2: number): bigint {
  const k = mulMod(reduce(r2 - r1 + P2, P2), P1_INV_MOD_P2, P2)
  const x = BigInt(r1) + BIG_P1 * BigInt(k)
  return x > MAX_ABS_AGGREGATE ? x - MODULUS : x
}

/**
 * Recombine whole residue vectors into signed 64-bit integers.
 * @param residues - `[r1[0..L), r2[0..L)]` as one array of length 2L
 * @param length - L
 */
export function crtVector(residues: Uint32Array, length: number): BigInt64Array {
  const out = new BigInt64Array(length)
  for (let i = 0; i < length; i++) out[i] = crtSigned(residues[i]!, residues[length + i]!)
  return out
}
