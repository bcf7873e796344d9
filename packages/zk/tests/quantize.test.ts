import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask, predictLabel, predictScores } from '@krain/models'
import {
  fitsSigned,
  packSigned,
  predictQuantized,
  quantizedScores,
  quantizeInput,
  quantizeModel,
  ZkUnsupportedModelError,
  type QuantizedLogisticModel,
  type QuantizedMlpModel,
} from '../src/index.js'

describe('quantizeModel + predictQuantized', () => {
  it('gives the float model label on every held-out breast_cancer row', () => {
    const { model, test } = breastCancerTask()
    const q = quantizeModel(model)
    const mismatches = test.x.filter((row) => predictQuantized(q, quantizeInput(q, row)) !== predictLabel(model, row))
    expect(test.x.length).toBe(114)
    expect(mismatches).toEqual([])
  })

  it('gives the float MLP label on every held-out digits row', () => {
    const { model, test } = digitsTask()
    const q = quantizeModel(model)
    const mismatches = test.x.filter((row) => predictQuantized(q, quantizeInput(q, row)) !== predictLabel(model, row))
    expect(test.x.length).toBe(359)
    expect(mismatches).toEqual([])
  })

  it('keeps the logistic score within the documented quantisation error bound', () => {
    const { model, test } = breastCancerTask()
    const q = quantizeModel(model) as QuantizedLogisticModel
    const sx = q.inputScale
    const sw = q.weightScale
    const n = model.weights.length
    for (const row of test.x) {
      const exact = predictScores(model, row)[0]!
      const approx = Number(quantizedScores(q, quantizeInput(q, row))[0]!) / (sx * sw)
      // |Δ| ≤ Σ|w|/(2 s_x) + Σ|x|/(2 s_w) + n/(4 s_x s_w) + 1/(2 s_x s_w)   (README, Security)
      const bound = model.weights.reduce((s, w) => s + Math.abs(w), 0) / (2 * sx) + row.reduce((s, x) => s + Math.abs(x), 0) / (2 * sw) + (n / 4 + 0.5) / (sx * sw)
      expect(Math.abs(approx - exact)).toBeLessThanOrEqual(bound)
    }
  })

  it('uses every available bit of the weight width (symmetric max-abs scale)', () => {
    const q = quantizeModel(digitsTask().model) as QuantizedMlpModel
    const max = (m: bigint[][]): bigint => m.flat().reduce((a, v) => (v < 0n ? -v : v) > a ? (v < 0n ? -v : v) : a, 0n)
    expect(max(q.layers[0].weights)).toBe(255n)
    expect(max(q.layers[1].weights)).toBe(255n)
  })

  it('returns a quantised model unchanged and refuses junk', () => {
    const q = quantizeModel(breastCancerTask().model)
    expect(quantizeModel(q)).toBe(q)
    expect(() => quantizeModel({ kind: 'linear', weights: new Array(30).fill(0), bias: 0 })).toThrow(ZkUnsupportedModelError)
    expect(() => quantizeModel({ kind: 'logistic', weights: [1, 2], bias: 0 })).toThrow(RangeError)
    expect(() => quantizeModel({ kind: 'logistic', weights: new Array(30).fill(Number.NaN), bias: 0 })).toThrow(TypeError)
    expect(() => quantizeModel({ kind: 'logistic', weights: new Array(30).fill(1), bias: 1e12 })).toThrow(ZkUnsupportedModelError)
    expect(() => quantizeModel(null as never)).toThrow(TypeError)
    expect(() => quantizeModel({ ...(q as QuantizedLogisticModel), bias: 2n ** 39n })).toThrow(RangeError)
  })
})

describe('quantizeInput', () => {
  const q = quantizeModel(breastCancerTask().model)
  it('rounds at the circuit scale and refuses values that do not fit the input width', () => {
    const row = new Array<number>(30).fill(0)
    row[0] = 1.5
    row[1] = -0.001
    expect(quantizeInput(q, row).slice(0, 2)).toEqual([98304n, -66n])
    expect(() => quantizeInput(q, [...row.slice(1), 128])).toThrow(RangeError)
    expect(() => quantizeInput(q, row.slice(1))).toThrow(RangeError)
    expect(() => quantizeInput(q, [...row.slice(1), 'x' as never])).toThrow(TypeError)
  })
})

describe('packSigned', () => {
  it('packs little-endian with the offset 2^(B-1), floor(252/B) values per element', () => {
    expect(packSigned([-128n, 127n, 0n], 8)).toEqual([0n + (255n << 8n) + (128n << 16n)])
    expect(packSigned(new Array<bigint>(29).fill(0n), 9).length).toBe(2)
    expect(fitsSigned(-(2n ** 15n), 16)).toBe(true)
    expect(fitsSigned(2n ** 15n, 16)).toBe(false)
  })

  it('is injective: unpacking gives back every value (property)', () => {
    const unpack = (packed: bigint[], bits: number, n: number): bigint[] => {
      const per = Math.floor(252 / bits)
      const mask = (1n << BigInt(bits)) - 1n
      return Array.from({ length: n }, (_, i) => ((packed[Math.floor(i / per)]! >> BigInt(bits * (i % per))) & mask) - (1n << BigInt(bits - 1)))
    }
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }).chain((bits) => fc.tuple(fc.constant(bits), fc.array(fc.bigInt({ min: -(1n << BigInt(bits - 1)), max: (1n << BigInt(bits - 1)) - 1n }), { minLength: 1, maxLength: 80 }))), ([bits, values]) => {
        const packed = packSigned(values, bits)
        expect(packed.every((e) => e < 1n << 252n)).toBe(true)
        expect(unpack(packed, bits, values.length)).toEqual(values)
      }),
    )
  })
})
