import { describe, expect, it } from 'vitest'
import { InvalidArgumentRangeError, InvalidArgumentTypeError } from '@krain/core'
import { fitStandardizer, loadBreastCancer, loadDigits, permutation, trainTestSplit } from '../src/index.js'

describe('loadBreastCancer', () => {
  const d = loadBreastCancer()
  it('has 569 rows of 30 finite features', () => {
    expect([d.x.length, d.featureCount, d.classCount]).toEqual([569, 30, 2])
    expect(d.x.every((r) => r.length === 30 && r.every(Number.isFinite))).toBe(true)
  })
  it('labels are 0 (malignant, 212) and 1 (benign, 357)', () => {
    expect([d.y.filter((v) => v === 0).length, d.y.filter((v) => v === 1).length]).toEqual([212, 357])
  })
})

describe('loadDigits', () => {
  const d = loadDigits()
  it('has 1797 rows of 64 pixels in 0..16', () => {
    expect([d.x.length, d.featureCount, d.classCount]).toEqual([1797, 64, 10])
    expect(d.x.every((r) => r.length === 64 && r.every((v) => Number.isInteger(v) && v >= 0 && v <= 16))).toBe(true)
  })
  it('has every digit 0..9 as a label and no other', () => {
    expect([...new Set(d.y)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})

describe('permutation', () => {
  it('is a permutation of 0..n-1', () => {
    expect([...permutation(100, 7)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i))
  })
  it('is the same for the same seed and differs for another', () => {
    expect(permutation(50, 3)).toEqual(permutation(50, 3))
    expect(permutation(50, 3)).not.toEqual(permutation(50, 4))
  })
  it('refuses a negative or fractional n and a non-integer seed, naming the argument', () => {
    expect(() => permutation(-1)).toThrow(InvalidArgumentRangeError)
    expect(() => permutation(1.5)).toThrow(/"n"/)
    expect(() => permutation(3, 0.5)).toThrow(InvalidArgumentTypeError)
    expect(() => permutation(3, 0.5)).toThrow(/"seed"/)
  })
})

describe('trainTestSplit', () => {
  const d = loadBreastCancer()
  it('splits 20% into the test part by default, with every row in exactly one part', () => {
    const { train, test } = trainTestSplit(d)
    expect([train.x.length, test.x.length]).toEqual([455, 114])
    const key = (r: number[]) => r.join(',')
    const all = new Set([...train.x, ...test.x].map(key))
    expect(all.size).toBe(new Set(d.x.map(key)).size)
  })
  it('keeps each row with its label', () => {
    const { test } = trainTestSplit(d, 0.2, 5)
    const labelOf = new Map(d.x.map((r, i) => [r.join(','), d.y[i]]))
    expect(test.x.every((r, i) => labelOf.get(r.join(',')) === test.y[i])).toBe(true)
  })
  it('is deterministic for a seed and differs across seeds', () => {
    expect(trainTestSplit(d, 0.3, 2).test.y).toEqual(trainTestSplit(d, 0.3, 2).test.y)
    expect(trainTestSplit(d, 0.3, 2).test.x).not.toEqual(trainTestSplit(d, 0.3, 3).test.x)
  })
  it.each([0, 1, -0.1, 1.5, NaN])('refuses testFraction %o with a RangeError naming it', (f) => {
    expect(() => trainTestSplit(d, f)).toThrow(InvalidArgumentRangeError)
    expect(() => trainTestSplit(d, f)).toThrow(/"testFraction"/)
  })
  it('refuses a data set with no rows or with labels that do not match its rows', () => {
    expect(() => trainTestSplit({ ...d, x: [], y: [] })).toThrow(/"d.x"/)
    expect(() => trainTestSplit({ ...d, y: d.y.slice(1) })).toThrow(/"d.y"/)
  })
})

describe('fitStandardizer', () => {
  it('maps the fitted rows to mean 0 and standard deviation 1 per feature', () => {
    const x = [[1, 10], [3, 10], [5, 10]]
    const s = fitStandardizer(x)
    const z = x.map(s.apply)
    expect(z.map((r) => r[0])).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)])
    expect(z.map((r) => r[1])).toEqual([0, 0, 0]) // a constant column: std taken as 1
  })
  it('refuses an empty or non-array x', () => {
    expect(() => fitStandardizer([])).toThrow(InvalidArgumentRangeError)
    expect(() => Reflect.apply(fitStandardizer, undefined, ['x'])).toThrow(InvalidArgumentTypeError)
  })
})
