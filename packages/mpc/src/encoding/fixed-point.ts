/**
 * @module fixed-point
 * Signed fixed-point encoding of a real vector into residues of the share field: v ↦ round(v·scale),
 * then its residue modulo each prime. With |v| ≤ bound the encoded value is a safe integer, so the
 * residues are exact; the session has already checked that the sum cannot overflow.
 */
import { P1, P2, crtVector, toResidue } from '../field/field.js'

/** Parameters of {@link encodeVector}. */
export type EncodeVectorParameters = {
  values: ArrayLike<number>
  scale: number
  bound: number
  /** Integers (encoded units) to add, e.g. DP noise. */
  noise?: Float64Array
}

/**
 * Encode a real vector as a residue vector (length 2L).
 * @throws TypeError if a value is not a number; RangeError if |value| > bound or not finite
 */
export function encodeVector({ values, scale, bound, noise }: EncodeVectorParameters): Uint32Array {
  const L = values.length
  const out = new Uint32Array(2 * L)
  for (let i = 0; i < L; i++) {
    const v = values[i]
    if (typeof v !== 'number') throw new TypeError(`"values[${i}]" expected a number, got ${typeof v}`)
    if (!(Math.abs(v) <= bound)) throw new RangeError(`"values[${i}]" expected a finite number with |v| ≤ ${bound}, got ${v}`)
    const z = Math.round(v * scale) + (noise ? noise[i]! : 0)
    if (z > -P2 && z < P2) {
      // the usual case, |z| below both primes: no division needed
      out[i] = z < 0 ? z + P1 : z
      out[L + i] = z < 0 ? z + P2 : z
    } else {
      out[i] = toResidue(z, P1)
      out[L + i] = toResidue(z, P2)
    }
  }
  return out
}

/** Decode a residue vector into exact signed integers (encoded units) and numbers (÷ scale). */
export function decodeVector(residues: Uint32Array, length: number, scale: number): { sum: BigInt64Array; values: number[] } {
  const sum = crtVector(residues, length)
  const values = new Array<number>(length)
  for (let i = 0; i < length; i++) values[i] = Number(sum[i]!) / scale
  return { sum, values }
}
