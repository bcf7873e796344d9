import { describe, expect, it } from 'vitest'
import {
  aBigInt,
  aBigIntInRange,
  aBoolean,
  aBytes,
  aFieldElement,
  aFiniteNumber,
  aNonNegativeInt,
  aPositiveInt,
  aString,
  anArray,
  anIntInRange,
  anObject,
  InvalidArgumentRangeError,
  InvalidArgumentTypeError,
  isInvalidArgument,
  rangeError,
  typeError,
} from '../src/index.js'

type Case = { name: string; check: (v: unknown) => unknown; good: unknown[]; wrongType: unknown[]; outOfRange: unknown[] }

const bytes = new Uint8Array(4)
const obj = { a: 1 }
const arr = [1, 2]
const cases: Case[] = [
  { name: 'aNonNegativeInt', check: (v) => aNonNegativeInt(v, 'n'), good: [0, 1, Number.MAX_SAFE_INTEGER], wrongType: ['1', 1.5, NaN, 2 ** 53, null, 1n], outOfRange: [-1] },
  { name: 'aPositiveInt', check: (v) => aPositiveInt(v, 'n'), good: [1, 42], wrongType: ['1', 0.5, undefined], outOfRange: [0, -3] },
  { name: 'anIntInRange', check: (v) => anIntInRange(v, 'n', 2, 5), good: [2, 5], wrongType: [3.5, '3', {}], outOfRange: [1, 6] },
  { name: 'aFiniteNumber', check: (v) => aFiniteNumber(v, 'n'), good: [0, -1.5, 1e300], wrongType: ['1', 1n, null], outOfRange: [NaN, Infinity, -Infinity] },
  { name: 'aBigInt', check: (v) => aBigInt(v, 'n'), good: [0n, -5n], wrongType: [1, '1', null], outOfRange: [] },
  { name: 'aBigIntInRange', check: (v) => aBigIntInRange(v, 'n', 1n, 10n), good: [1n, 9n], wrongType: [5, '5'], outOfRange: [0n, 10n] },
  { name: 'aFieldElement', check: (v) => aFieldElement(v, 'n', 7n), good: [0n, 6n], wrongType: [3], outOfRange: [-1n, 7n] },
  { name: 'aString', check: (v) => aString(v, 'n', 3), good: ['a', 'abc'], wrongType: [1, null, ['a']], outOfRange: ['', 'abcd'] },
  { name: 'aBytes', check: (v) => aBytes(v, 'n', 4), good: [bytes], wrongType: [[1, 2, 3, 4], 'abcd', new Uint16Array(4)], outOfRange: [new Uint8Array(3)] },
  { name: 'anArray', check: (v) => anArray(v, 'n', 1, 2), good: [[1], arr], wrongType: [{ length: 1 }, 'a', bytes], outOfRange: [[], [1, 2, 3]] },
  { name: 'anObject', check: (v) => anObject(v, 'n'), good: [obj, {}], wrongType: [null, [], 1, 'x'], outOfRange: [] },
  { name: 'aBoolean', check: (v) => aBoolean(v, 'n'), good: [true, false], wrongType: [0, 'true', null], outOfRange: [] },
]

describe.each(cases)('$name', ({ check, good, wrongType, outOfRange }) => {
  it.each(good.map((v) => [v]))('returns an accepted value unchanged: %o', (v) => {
    expect(check(v)).toBe(v)
  })
  if (wrongType.length > 0)
    it.each(wrongType.map((v) => [v]))('refuses a value of the wrong type with a TypeError naming the argument: %o', (v) => {
      expect(() => check(v)).toThrow(InvalidArgumentTypeError)
      expect(() => check(v)).toThrow(/^"n" expected /)
    })
  if (outOfRange.length > 0)
    it.each(outOfRange.map((v) => [v]))('refuses a value out of range with a RangeError naming the argument: %o', (v) => {
      expect(() => check(v)).toThrow(InvalidArgumentRangeError)
      expect(() => check(v)).toThrow(/^"n" expected /)
    })
})

describe('typeError and rangeError', () => {
  it('throw marker errors that carry the argument and the INVALID_ARGUMENT code', () => {
    let t: unknown
    try {
      typeError('scale', 'a number', 'x')
    } catch (e) {
      t = e
    }
    expect(t).toBeInstanceOf(TypeError)
    expect(t).toMatchObject({ argument: 'scale', code: 'INVALID_ARGUMENT', message: '"scale" expected a number, got "x"' })
    expect(isInvalidArgument(t)).toBe(true)
  })

  it('describe the value they got: bigints with n, long strings cut, arrays and bytes by length', () => {
    expect(() => rangeError('k', 'a bigint < 5', 7n)).toThrow('"k" expected a bigint < 5, got 7n')
    expect(() => rangeError('s', 'short', 'x'.repeat(50))).toThrow(`got "${'x'.repeat(40)}…"`)
    expect(() => typeError('a', 'a string', [1, 2, 3])).toThrow('got array(3)')
    expect(() => typeError('b', 'a string', new Uint8Array(2))).toThrow('got Uint8Array(2)')
  })

  it('are told apart from a TypeError or RangeError that is a bug', () => {
    expect(isInvalidArgument(new TypeError('x is not a function'))).toBe(false)
    expect(isInvalidArgument(new RangeError('Maximum call stack size exceeded'))).toBe(false)
  })
})
