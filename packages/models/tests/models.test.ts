import { describe, expect, it } from 'vitest'
import { accuracy, breastCancerTask, digitsTask, predictLabel, predictScores, trainLogistic, trainMlp } from '../src/index.js'

describe('breastCancerTask', () => {
  it('trains a logistic model that generalises to held-out rows', () => {
    const t = breastCancerTask()
    expect(t.train.x.length + t.test.x.length).toBe(569)
    expect(t.test.x[0]).toHaveLength(30)
    expect(accuracy(t.model, t.test.x, t.test.y)).toBeGreaterThan(0.95)
  })
  it('is deterministic', () => {
    const again = trainLogistic(breastCancerTask().train)
    expect(again.weights).toEqual(breastCancerTask().model.weights)
  })
})

describe('digitsTask', () => {
  it('trains a 64-16-10 square-activation MLP above 90% held-out accuracy', () => {
    const t = digitsTask()
    expect(t.model.layers.map((l) => [l.weights.length, l.weights[0]!.length])).toEqual([
      [16, 64],
      [10, 16],
    ])
    expect(accuracy(t.model, t.test.x, t.test.y)).toBeGreaterThan(0.9)
  })
})

describe('predictScores', () => {
  it('computes w·x+b and the square activation by hand', () => {
    expect(predictScores({ kind: 'logistic', weights: [1, -2], bias: 0.5 }, [3, 1])).toEqual([1.5])
    const mlp = { kind: 'mlp' as const, activation: 'square' as const, layers: [{ weights: [[2], [-1]], bias: [0, 1] }, { weights: [[1, 1]], bias: [0] }] }
    // hidden: [2x, 1-x] squared → [4x², (1-x)²]; x = 3 → 36 + 4
    expect(predictScores(mlp, [3])).toEqual([40])
    expect(predictLabel({ kind: 'logistic', weights: [1], bias: 0 }, [-0.1])).toBe(0)
  })
})

describe('training input checks', () => {
  it('rejects ragged rows, bad labels and mismatched lengths', () => {
    expect(() => trainLogistic({ x: [[1], [1, 2]], y: [0, 1] })).toThrow(RangeError)
    expect(() => trainLogistic({ x: [[1], [2]], y: [0, 2] })).toThrow(/"y\[1\]"/)
    expect(() => trainLogistic({ x: [[1]], y: [0, 1] })).toThrow(RangeError)
    expect(() => trainMlp({ x: [[1]], y: [3], classes: 2 })).toThrow(RangeError)
    expect(() => trainLogistic({ x: [[Number.NaN]], y: [0] })).toThrow(RangeError)
  })
})
