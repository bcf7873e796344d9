import { breastCancerTask, digitsTask, type MlpModel } from '@krain/models'
import { beforeAll, describe, expect, it } from 'vitest'
import { HeDepthError, MAX_COEFF_BITS_128, checkCkksParameters, ckksParametersForDepth, planInference, HeParametersError } from '../src/index.js'

const mlp = (sizes: number[]): MlpModel => ({
  kind: 'mlp',
  activation: 'square',
  layers: sizes.slice(1).map((out, i) => ({ weights: Array.from({ length: out }, (_, r) => Array.from({ length: sizes[i]! }, (_, c) => ((r + 2 * c) % 5) / 10 - 0.2)), bias: new Array(out).fill(0.1) })),
})

describe('planInference', () => {
  // digitsTask() trains the MLP on first use (cached afterwards)
  beforeAll(() => void digitsTask(), 60_000)

  it('plans the breast_cancer logistic model for one sample: rotations only for the sum', () => {
    const plan = planInference({ model: breastCancerTask().model, batchSize: 1 })
    expect(plan.layout).toBe('sample-per-ciphertext')
    expect(plan.depth).toBe(1)
    expect(plan.params).toEqual({ polyModulusDegree: 8192, coeffModulusBits: [60, 40, 60], scaleBits: 40 })
    expect(plan.galoisSteps).toEqual([1, 2, 4, 8, 16])
    expect(plan.relin).toBe(false)
    expect(plan.inputCiphertexts).toBe(1)
    expect(plan.errorBound).toBeGreaterThan(0)
    expect(plan.errorBound).toBeLessThan(1e-3)
  })

  it('switches to feature-major (no Galois keys) for large batches', () => {
    const plan = planInference({ model: digitsTask().model, batchSize: 5000 })
    expect(plan.layout).toBe('feature-major')
    expect(plan.galoisSteps).toEqual([])
    expect(plan.relin).toBe(true)
    expect(plan.depth).toBe(3)
    expect(plan.inputCiphertexts).toBe(64 * 2) // two groups of ≤ 4096 samples
    expect(plan.outputCiphertexts).toBe(10 * 2)
    expect(plan.estimatedCost.featureMajor).toBeLessThan(plan.estimatedCost.samplePerCiphertext)
  })

  it('derives the exact BSGS and folding steps of an MLP', () => {
    const plan = planInference({ model: digitsTask().model, batchSize: 1, layout: 'sample-per-ciphertext' })
    // 64→16: baby 1..3, giant 4, 8, 12, fold 16, 32; 16→10 (padded to 16): baby/giant only
    expect(plan.galoisSteps).toEqual([1, 2, 3, 4, 8, 12, 16, 32])
    expect(plan.periods).toEqual([64, 16, 16])
    expect(plan.params.coeffModulusBits).toEqual([55, 35, 35, 35, 55])
  })

  it('moves to a larger ring when the model is deeper', () => {
    const plan = planInference({ model: mlp([4, 4, 4, 4]), batchSize: 1 }) // depth 5
    expect(plan.depth).toBe(5)
    expect(plan.params.polyModulusDegree).toBe(16384)
    expect(plan.params.coeffModulusBits.reduce((a, b) => a + b)).toBeLessThanOrEqual(MAX_COEFF_BITS_128[16384]!)
  })

  it('refuses a model too deep for the parameters before any work', () => {
    expect(() => planInference({ model: mlp([4, 4, 4, 4]), batchSize: 1, polyModulusDegree: 8192 })).toThrow(HeDepthError)
    expect(() => planInference({ model: mlp(new Array(17).fill(3)), batchSize: 1 })).toThrow(HeDepthError)
    try {
      planInference({ model: mlp([4, 4, 4, 4]), batchSize: 1, polyModulusDegree: 8192 })
    } catch (e) {
      expect((e as HeDepthError).code).toBe('HE_DEPTH_EXCEEDED')
    }
  })

  it('rejects junk arguments with TypeError / RangeError', () => {
    const model = breastCancerTask().model
    expect(() => planInference({ model, batchSize: 0 })).toThrow(RangeError)
    expect(() => planInference({ model, batchSize: 1.5 })).toThrow(TypeError)
    expect(() => planInference({ model: { kind: 'svm' } as never, batchSize: 1 })).toThrow(TypeError)
    expect(() => planInference({ model: { ...model, weights: [1, Number.NaN] }, batchSize: 1 })).toThrow(TypeError)
    expect(() => planInference({ model, batchSize: 1, layout: 'diagonal' as never })).toThrow(TypeError)
    expect(() => planInference({ model, batchSize: 1, polyModulusDegree: 4096 })).toThrow(RangeError)
    const bad = mlp([4, 3, 2])
    bad.layers[1]!.weights[0] = [1, 2]
    expect(() => planInference({ model: bad, batchSize: 1 })).toThrow(RangeError)
  })
})

describe('CKKS parameters', () => {
  it('keeps every chain inside the 128-bit table', () => {
    for (let d = 1; d <= 26; d++) {
      const p = ckksParametersForDepth(d)
      expect(p.coeffModulusBits.reduce((a, b) => a + b)).toBeLessThanOrEqual(MAX_COEFF_BITS_128[p.polyModulusDegree]!)
      expect(p.coeffModulusBits.length).toBe(d + 2)
    }
  })

  it('rejects parameters outside the table', () => {
    expect(() => checkCkksParameters({ polyModulusDegree: 8192, coeffModulusBits: [60, 60, 60, 60], scaleBits: 40 })).toThrow(HeParametersError)
    expect(() => checkCkksParameters({ polyModulusDegree: 1000, coeffModulusBits: [60, 40, 60], scaleBits: 40 })).toThrow(HeParametersError)
    expect(() => checkCkksParameters({ polyModulusDegree: 8192, coeffModulusBits: [60, 70, 60], scaleBits: 40 })).toThrow(HeParametersError)
    expect(() => checkCkksParameters({ polyModulusDegree: 8192, coeffModulusBits: [40, 40, 40], scaleBits: 40 })).toThrow(HeParametersError)
    expect(() => checkCkksParameters('n8192')).toThrow(TypeError)
  })
})
