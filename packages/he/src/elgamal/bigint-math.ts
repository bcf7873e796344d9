/**
 * @module elgamal/bigint-math
 * Modular arithmetic on bigints for multiplicative ElGamal. Not constant-time (JavaScript BigInt
 * never is): timing may leak information about exponents on a shared machine.
 */
import { randomBytes } from '@noble/hashes/utils.js'

/** `base^exp mod m` (left-to-right square-and-multiply). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n
  let b = ((base % m) + m) % m
  const bits = exp.toString(2)
  for (let i = 0; i < bits.length; i++) {
    result = (result * result) % m
    if (bits[i] === '1') result = (result * b) % m
  }
  return result
}

/** A uniform bigint in [min, max) from the system CSPRNG (rejection sampling). */
export function randomBigInt(min: bigint, max: bigint): bigint {
  const range = max - min
  const bytes = Math.ceil(range.toString(2).length / 8) + 8 // 64 extra bits: negligible bias
  const r = BigInt(`0x${Buffer.from(randomBytes(bytes)).toString('hex')}`)
  return min + (r % range)
}
