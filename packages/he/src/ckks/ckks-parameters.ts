/**
 * @module ckks/ckks-parameters
 * CKKS parameter sets inside SEAL's 128-bit security table (HomomorphicEncryption.org standard,
 * ternary secret): the total coefficient-modulus size may not exceed 218 bits at N = 8192,
 * 438 at N = 16384 and 881 at N = 32768. A chain is `[q0, s × depth, special]`: every rescale
 * drops one `s`-bit prime (so the scale stays ≈ 2^s), `q0` keeps `q0 - s` bits of integer room
 * for the result, and the special prime (≥ every other prime) is used only for key switching.
 */
import { aPositiveInt, anArray, anObject } from '@krain/core'
import { HeDepthError, HeParametersError } from '../errors.js'

/** CKKS encryption parameters. */
export type CkksParameters = {
  /** Ring degree N (a power of two); the ciphertext has N/2 slots. */
  polyModulusDegree: number
  /** Bit sizes of the coefficient-modulus primes: `[q0, ...rescale primes, special prime]`. */
  coeffModulusBits: number[]
  /** log2 of the encoding scale (matches the rescale primes). */
  scaleBits: number
}

/** Largest total coefficient-modulus bits at 128-bit security, per N (SEAL's table). */
export const MAX_COEFF_BITS_128: Readonly<Record<number, number>> = { 1024: 27, 2048: 54, 4096: 109, 8192: 218, 16384: 438, 32768: 881 }

/** Ring degrees this package accepts for CKKS. */
export const CKKS_DEGREES = [8192, 16384, 32768] as const

/** Bits of integer headroom kept in q0 above the scale (values up to ~2^20 in magnitude). */
const HEADROOM_BITS = 20
/** Below 2^30 the scale leaves too little precision for inference. */
const MIN_SCALE_BITS = 30

/**
 * Ready-made 128-bit parameter sets: `n8192` (depth 2, scale 2^40) and `n16384` (depth 7, scale 2^40).
 * @example
 * ```ts
 * const ctx = await createCkksContext(CKKS_PRESETS.n8192)
 * ```
 */
export const CKKS_PRESETS = {
  n8192: { polyModulusDegree: 8192, coeffModulusBits: [60, 40, 40, 60], scaleBits: 40 },
  n16384: { polyModulusDegree: 16384, coeffModulusBits: [60, 40, 40, 40, 40, 40, 40, 40, 60], scaleBits: 40 },
} as const satisfies Record<string, CkksParameters>

/** Number of rescales (multiplicative depth) a parameter set allows. */
export function ckksDepth(params: CkksParameters): number {
  return params.coeffModulusBits.length - 2
}

/**
 * The 128-bit chain with the most precision for `depth` rescales at ring degree `polyModulusDegree`.
 * @param p.polyModulusDegree - 8192, 16384 or 32768
 * @param p.depth - multiplicative depth needed (≥ 1)
 * @param p.maxScaleBits - cap on the scale (default 40)
 * @param p.headroomBits - least number of bits q0 must have above the scale (default 0: the usual
 * 20 bits, i.e. |result| < 2^19); the scale is lowered (down to 2^30) to make room when needed
 * @returns parameters, or `undefined` when the depth (and headroom) does not fit at this degree
 */
export function ckksChainFor({ polyModulusDegree, depth, maxScaleBits = 40, headroomBits = 0 }: { polyModulusDegree: number; depth: number; maxScaleBits?: number; headroomBits?: number }): CkksParameters | undefined {
  const budget = MAX_COEFF_BITS_128[polyModulusDegree]
  if (budget === undefined) return undefined
  for (let s = maxScaleBits; s >= MIN_SCALE_BITS; s--) {
    const outer = Math.min(60, s + Math.max(HEADROOM_BITS, headroomBits))
    if (outer - s < headroomBits) continue
    if (2 * outer + depth * s <= budget) return { polyModulusDegree, coeffModulusBits: [outer, ...new Array<number>(depth).fill(s), outer], scaleBits: s }
  }
  return undefined
}

/**
 * log2 of the largest |value| a ciphertext at `level` can hold without wrapping: the product of the
 * primes q0..q_level over 2·scale. SEAL's b-bit primes lie just below 2^b (within 2^-10 of it for
 * b ≥ 30), so each is counted as b − 0.01 bits.
 */
export function ckksHeadroomBits(params: CkksParameters, level: number): number {
  let bits = 0
  const top = Math.min(level, params.coeffModulusBits.length - 2)
  for (let i = 0; i <= top; i++) bits += params.coeffModulusBits[i]! - 0.01
  return bits - 1 - params.scaleBits
}

/**
 * The smallest ring degree whose 128-bit chain holds `depth` rescales (and `headroomBits` bits of
 * integer room in q0 above the scale, when given).
 * @throws {HeDepthError} when even N = 32768 cannot hold the depth
 */
export function ckksParametersForDepth(depth: number, minPolyModulusDegree = 8192, headroomBits = 0): CkksParameters {
  aPositiveInt(depth, 'depth')
  for (const n of CKKS_DEGREES) {
    if (n < minPolyModulusDegree) continue
    const p = ckksChainFor({ polyModulusDegree: n, depth, headroomBits })
    if (p) return p
  }
  throw new HeDepthError({ shortMessage: `multiplicative depth ${depth} does not fit any 128-bit CKKS parameter set`, details: `needs depth ${depth}${headroomBits ? ` with ${headroomBits} bits of headroom` : ''}; the largest supported ring (N = 32768, 881 bits) holds 19 rescales at scale 2^40, 26 at 2^30` })
}

/**
 * Validate CKKS parameters at a boundary.
 * @throws {TypeError} on wrong types
 * @throws {HeParametersError} when N is unsupported, a prime size is outside [20, 60], the scale does
 * not fit, or the chain exceeds SEAL's 128-bit table
 */
export function checkCkksParameters(v: unknown, name = 'params'): CkksParameters {
  const o = anObject(v, name)
  const n = aPositiveInt(o.polyModulusDegree, `${name}.polyModulusDegree`)
  const bits = anArray<number>(o.coeffModulusBits, `${name}.coeffModulusBits`, 0, 64).map((b, i) => aPositiveInt(b, `${name}.coeffModulusBits[${i}]`))
  const scaleBits = aPositiveInt(o.scaleBits, `${name}.scaleBits`)
  const budget = MAX_COEFF_BITS_128[n]
  if (!(CKKS_DEGREES as readonly number[]).includes(n) || budget === undefined) throw new HeParametersError({ shortMessage: `"${name}.polyModulusDegree" must be one of ${CKKS_DEGREES.join(', ')}`, details: `got ${n}` })
  if (bits.length < 3) throw new HeParametersError({ shortMessage: `"${name}.coeffModulusBits" needs at least 3 primes (q0, one rescale prime, special prime)` })
  if (bits.some((b) => b < 20 || b > 60)) throw new HeParametersError({ shortMessage: `"${name}.coeffModulusBits" entries must be in [20, 60]` })
  const total = bits.reduce((a, b) => a + b, 0)
  if (total > budget) throw new HeParametersError({ shortMessage: `coefficient modulus of ${total} bits exceeds the 128-bit limit of ${budget} bits at N = ${n}` })
  if (scaleBits < 20 || scaleBits >= bits[0]!) throw new HeParametersError({ shortMessage: `"${name}.scaleBits" must be in [20, q0 bits)`, details: `got ${scaleBits}, q0 has ${bits[0]} bits` })
  return { polyModulusDegree: n, coeffModulusBits: bits, scaleBits }
}
