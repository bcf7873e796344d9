/**
 * @module pack
 * Packing of signed fixed-point integers into field elements, exactly as `PackSigned(n, B)` in
 * `circuits/src/lib/pack.circom`: a value `v` of width `B` (in `[-2^(B-1), 2^(B-1))`) is stored
 * as `u = v + 2^(B-1)`, `floor(252 / B)` values per element, little-endian. Hashing packed
 * elements instead of single values is what keeps a committed parameter near `B + 1`
 * constraints instead of ~40 for a Poseidon input of its own.
 */

/** How many `bits`-wide values one field element holds. */
export function valuesPerElement(bits: number): number {
  return Math.floor(252 / bits)
}

/** How many field elements `count` values of `bits` bits pack into. */
export function packedLength(count: number, bits: number): number {
  return Math.ceil(count / valuesPerElement(bits))
}

/** True when `v` fits a signed `bits`-wide integer. */
export function fitsSigned(v: bigint, bits: number): boolean {
  const half = 1n << BigInt(bits - 1)
  return v >= -half && v < half
}

/**
 * Pack signed integers (each already known to fit `bits`) into field elements.
 * @param values - the integers
 * @param bits - the width of each
 * @returns the packed field elements
 */
export function packSigned(values: readonly bigint[], bits: number): bigint[] {
  const per = valuesPerElement(bits)
  const b = BigInt(bits)
  const half = 1n << (b - 1n)
  const out: bigint[] = new Array(packedLength(values.length, bits)).fill(0n)
  values.forEach((v, i) => {
    const j = Math.floor(i / per)
    out[j] = out[j]! + ((v + half) << (b * BigInt(i % per)))
  })
  return out
}
