/**
 * @module run/values
 * Plain-value helpers shared by the interpreter and the server runtime: element-wise arithmetic
 * with scalar broadcast, and input validation against the declared types and ranges.
 */
import { ContractInputError } from '../errors.js'
import type { CheckedInput } from '../check/check-contract.js'

/** A plain value: a scalar or a vector. */
export type PlainValue = number | number[]

/** Element-wise `f` with scalar broadcast. */
export function zip(a: PlainValue, b: PlainValue, f: (x: number, y: number) => number): PlainValue {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b)
  if (typeof a === 'number') return (b as number[]).map((y) => f(a, y))
  if (typeof b === 'number') return a.map((x) => f(x, b))
  return a.map((x, i) => f(x, b[i]!))
}

/** Element-wise `f`. */
export function map(a: PlainValue, f: (x: number) => number): PlainValue {
  return typeof a === 'number' ? f(a) : a.map(f)
}

/** Check one input value against its declaration (type, size, range). */
export function checkInputValue(input: CheckedInput, v: unknown, where = ''): PlainValue {
  const n = input.type.length
  const [lo, hi] = input.range
  const name = `${where}${input.name}`
  const one = (x: unknown, i?: number): number => {
    const label = i === undefined ? name : `${name}[${i}]`
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ContractInputError({ shortMessage: `input "${label}" must be a finite number` })
    if (input.type.base === 'int' && !Number.isInteger(x)) throw new ContractInputError({ shortMessage: `input "${label}" must be an integer, got ${x}` })
    if (x < lo || x > hi) throw new ContractInputError({ shortMessage: `input "${label}" = ${x} is outside its declared range [${lo}, ${hi}]` })
    return x
  }
  if (n === 0) return one(v)
  if (!Array.isArray(v) || v.length !== n) throw new ContractInputError({ shortMessage: `input "${name}" must be an array of ${n} numbers` })
  return v.map((x, i) => one(x, i))
}
