/**
 * @module paillier/describe
 * Bounded descriptions of values for error messages. A Paillier modulus is 2048–16384 bits (600–
 * 5000 decimal digits); an error message that embeds one, or a value of that size, or a string
 * taken from untrusted JSON, is unreadable and can be made arbitrarily long by whoever sends the
 * input (a crafted input once produced a 1,271-character message). Every Paillier message goes through these.
 */
import { InvalidArgumentRangeError, InvalidArgumentTypeError } from '@krain/core'

/** Longest description of an untrusted value, in characters. */
export const MAX_DESCRIBED = 48

/**
 * A bigint for an error message: in full below 2^64, otherwise sign, first and last 8 hex digits
 * and bit length (`0x1a2b3c4d…9e8f7a6b (3072 bits)`).
 * @param x - the value
 * @returns at most about 40 characters
 */
export function describeBigint(x: bigint): string {
  const a = x < 0n ? -x : x
  if (a < 1n << 64n) return `${x}`
  const hex = a.toString(16)
  return `${x < 0n ? '-' : ''}0x${hex.slice(0, 8)}…${hex.slice(-8)} (${a.toString(2).length} bits)`
}

/**
 * An untrusted value (from JSON, from a caller) for an error message, at most {@link MAX_DESCRIBED}
 * characters plus a bigint's short form.
 * @param v - anything
 * @returns a short description
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'bigint') return describeBigint(v)
  if (typeof v === 'string') return JSON.stringify(v.length > MAX_DESCRIBED - 8 ? `${v.slice(0, MAX_DESCRIBED - 8)}…` : v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v)
  if (Array.isArray(v)) return `array(${v.length})`
  return typeof v
}

/**
 * A bigint in [min, maxExclusive) whose bounds may be key-sized: the message names the range
 * symbolically (`range`, e.g. "[0, n)") and the value in short form.
 * @throws TypeError when `v` is not a bigint; RangeError (INVALID_ARGUMENT) when out of range
 */
export function aBigIntInKeyRange(v: unknown, name: string, min: bigint, maxExclusive: bigint, range: string): bigint {
  if (typeof v !== 'bigint') shortTypeError(name, 'a bigint', v)
  if (v < min || v >= maxExclusive) throw new InvalidArgumentRangeError(name, `"${name}" expected a bigint in ${range}, got ${describeBigint(v)}`)
  return v
}

/**
 * `@krain/core`'s `typeError`, with the value described in short form (core prints a bigint in
 * full, and a modulus passed where a key was expected would fill the message).
 * @throws TypeError (INVALID_ARGUMENT) always
 */
export function shortTypeError(name: string, expected: string, got: unknown): never {
  throw new InvalidArgumentTypeError(name, `"${name}" expected ${expected}, got ${describeValue(got)}`)
}
