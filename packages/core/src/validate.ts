/**
 * @module validate
 * Small boundary checkers in the style of noble's `utils.ts`: each returns its (typed) value or
 * throws `TypeError` (wrong type) / `RangeError` (out of range) with a message naming the argument.
 * Exported functions call them first; internal helpers trust their input.
 */

import { InvalidArgumentRangeError, InvalidArgumentTypeError } from './errors.js'

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (Array.isArray(v)) return `array(${v.length})`
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`
  if (v === null) return 'null'
  return typeof v === 'object' ? 'object' : String(v)
}

/** Throws a `TypeError` whose message names the argument and what was expected. */
export function typeError(name: string, expected: string, got: unknown): never {
  throw new InvalidArgumentTypeError(name, `"${name}" expected ${expected}, got ${describe(got)}`)
}

/** Throws a `RangeError` whose message names the argument and the allowed range. */
export function rangeError(name: string, expected: string, got: unknown): never {
  throw new InvalidArgumentRangeError(name, `"${name}" expected ${expected}, got ${describe(got)}`)
}

/** A safe integer ≥ 0. */
export function aNonNegativeInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) typeError(name, 'a safe integer', v)
  if (v < 0) rangeError(name, 'an integer ≥ 0', v)
  return v
}

/** A safe integer ≥ 1. */
export function aPositiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) typeError(name, 'a safe integer', v)
  if (v < 1) rangeError(name, 'an integer ≥ 1', v)
  return v
}

/** A safe integer in [min, max]. */
export function anIntInRange(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) typeError(name, 'a safe integer', v)
  if (v < min || v > max) rangeError(name, `an integer in [${min}, ${max}]`, v)
  return v
}

/** A finite number. */
export function aFiniteNumber(v: unknown, name: string): number {
  if (typeof v !== 'number') typeError(name, 'a number', v)
  if (!Number.isFinite(v)) rangeError(name, 'a finite number', v)
  return v
}

/** A bigint. */
export function aBigInt(v: unknown, name: string): bigint {
  if (typeof v !== 'bigint') typeError(name, 'a bigint', v)
  return v
}

/** A bigint in [min, max). */
export function aBigIntInRange(v: unknown, name: string, min: bigint, maxExclusive: bigint): bigint {
  if (typeof v !== 'bigint') typeError(name, 'a bigint', v)
  if (v < min || v >= maxExclusive) rangeError(name, `a bigint in [${min}, ${maxExclusive})`, v)
  return v
}

/** A field element: a bigint in [0, p). */
export function aFieldElement(v: unknown, name: string, p: bigint): bigint {
  return aBigIntInRange(v, name, 0n, p)
}

/** A non-empty string of at most `maxLength` characters. */
export function aString(v: unknown, name: string, maxLength = 1 << 20): string {
  if (typeof v !== 'string') typeError(name, 'a string', v)
  if (v.length === 0 || v.length > maxLength) rangeError(name, `a string of 1..${maxLength} characters`, v)
  return v
}

/** A `Uint8Array`, optionally of an exact length. */
export function aBytes(v: unknown, name: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) typeError(name, 'a Uint8Array', v)
  if (length !== undefined && v.length !== length) rangeError(name, `${length} bytes`, v)
  return v
}

/** An array of at most `maxLength` items (and at least `minLength`). */
export function anArray<T = unknown>(v: unknown, name: string, minLength = 0, maxLength = 1 << 24): T[] {
  if (!Array.isArray(v)) typeError(name, 'an array', v)
  if (v.length < minLength || v.length > maxLength) rangeError(name, `an array of ${minLength}..${maxLength} items`, v)
  return v as T[]
}

/** A plain object (not null, not an array). */
export function anObject(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) typeError(name, 'an object', v)
  return v as Record<string, unknown>
}

/** A boolean. */
export function aBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') typeError(name, 'a boolean', v)
  return v
}
