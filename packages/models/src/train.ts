/**
 * @module train
 * Deterministic plaintext training in TypeScript: logistic regression by full-batch gradient
 * descent with L2, and a small MLP with square activation by mini-batch SGD on softmax
 * cross-entropy. Small and dependency-free: the point is reproducible models for the
 * encrypted and proven paths, not a training framework.
 */
import { aFiniteNumber, aPositiveInt, anArray, KrainError } from '@krain/core'
import { denseForward } from './predict.js'
import type { DenseLayer, LinearModel, MlpModel } from './types.js'

function checkRows(x: unknown, y: unknown): { x: number[][]; y: number[] } {
  const rows = anArray<number[]>(x, 'x', 1)
  const labels = anArray<number>(y, 'y', 1)
  if (rows.length !== labels.length) throw new RangeError(`"y" expected ${rows.length} labels (one per row of "x"), got ${labels.length}`)
  const m = anArray(rows[0], 'x[0]', 1).length
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== m) throw new RangeError(`"x[${i}]" expected ${m} features`)
    r.forEach((v, j) => aFiniteNumber(v, `x[${i}][${j}]`))
  })
  return { x: rows, y: labels }
}

/** Parameters of {@link trainLogistic}. */
export type TrainLogisticParameters = { x: number[][]; y: number[]; epochs?: number; learningRate?: number; l2?: number }

/**
 * Fit a binary logistic regression (labels 0/1) by full-batch gradient descent.
 * @returns a `LinearModel` of kind `logistic`
 * @throws RangeError on ragged rows or labels other than 0/1
 * @example
 * ```ts
 * const model = trainLogistic({ x: [[0], [1], [2], [3]], y: [0, 0, 1, 1] })
 * ```
 */
export function trainLogistic({ x, y, epochs = 300, learningRate = 0.5, l2 = 1e-3 }: TrainLogisticParameters): LinearModel {
  checkRows(x, y)
  aPositiveInt(epochs, 'epochs')
  y.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw new RangeError(`"y[${i}]" expected 0 or 1, got ${v}`)
  })
  const m = x[0]!.length
  const n = x.length
  const w = new Array<number>(m).fill(0)
  let b = 0
  for (let e = 0; e < epochs; e++) {
    const gw = new Array<number>(m).fill(0)
    let gb = 0
    for (let i = 0; i < n; i++) {
      const r = x[i]!
      let z = b
      for (let j = 0; j < m; j++) z += w[j]! * r[j]!
      const err = 1 / (1 + Math.exp(-z)) - y[i]!
      for (let j = 0; j < m; j++) gw[j]! += err * r[j]!
      gb += err
    }
    for (let j = 0; j < m; j++) w[j]! -= learningRate * (gw[j]! / n + l2 * w[j]!)
    b -= (learningRate * gb) / n
  }
  return { kind: 'logistic', weights: w, bias: b }
}

/** Parameters of {@link trainMlp}. */
export type TrainMlpParameters = {
  x: number[][]
  y: number[]
  classes: number
  hidden?: number[]
  epochs?: number
  learningRate?: number
  batchSize?: number
  seed?: number
}

/** A seeded PRNG (mulberry32) so training is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
}

/**
 * Train an MLP with square activation (x ↦ x²) between layers and softmax cross-entropy
 * at the output, by mini-batch SGD with gradient clipping (square activations can blow up).
 * @returns an `MlpModel`
 * @throws RangeError on labels outside `0..classes-1` or ragged rows
 */
export function trainMlp({ x, y, classes, hidden = [16], epochs = 60, learningRate = 0.05, batchSize = 32, seed = 1 }: TrainMlpParameters): MlpModel {
  checkRows(x, y)
  aPositiveInt(classes, 'classes')
  aPositiveInt(epochs, 'epochs')
  y.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= classes) throw new RangeError(`"y[${i}]" expected a label in 0..${classes - 1}, got ${v}`)
  })
  const r = rng(seed)
  const sizes = [x[0]!.length, ...hidden, classes]
  const layers: DenseLayer[] = []
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!
    layers.push({
      weights: Array.from({ length: sizes[l + 1]! }, () => Array.from({ length: fanIn }, () => gaussian(r) / Math.sqrt(fanIn))),
      bias: new Array<number>(sizes[l + 1]!).fill(0),
    })
  }
  const L = layers.length
  const order = Array.from({ length: x.length }, (_, i) => i)
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const lr = learningRate / (1 + e / 20)
    for (let s = 0; s < order.length; s += batchSize) {
      const batch = order.slice(s, s + batchSize)
      const gW = layers.map((ly) => ly.weights.map((row) => new Array<number>(row.length).fill(0)))
      const gB = layers.map((ly) => new Array<number>(ly.bias.length).fill(0))
      for (const idx of batch) {
        // forward, keeping pre-activations z and activations a
        const a: number[][] = [x[idx]!]
        const z: number[][] = []
        for (let l = 0; l < L; l++) {
          const zl = denseForward(layers[l]!, a[l]!)
          z.push(zl)
          a.push(l < L - 1 ? zl.map((v) => v * v) : zl)
        }
        const logits = a[L]!
        const mx = Math.max(...logits)
        const ex = logits.map((v) => Math.exp(v - mx))
        const sum = ex.reduce((p, q) => p + q, 0)
        let delta = ex.map((v, k) => v / sum - (k === y[idx] ? 1 : 0))
        for (let l = L - 1; l >= 0; l--) {
          const input = a[l]!
          for (let o = 0; o < delta.length; o++) {
            gB[l]![o]! += delta[o]!
            const row = gW[l]![o]!
            for (let i = 0; i < input.length; i++) row[i]! += delta[o]! * input[i]!
          }
          if (l > 0) {
            const prev = new Array<number>(input.length).fill(0)
            for (let o = 0; o < delta.length; o++) {
              const w = layers[l]!.weights[o]!
              for (let i = 0; i < input.length; i++) prev[i]! += w[i]! * delta[o]!
            }
            delta = prev.map((v, i) => v * 2 * z[l - 1]![i]!) // d(z²)/dz = 2z
          }
        }
      }
      let norm = 0
      for (let l = 0; l < L; l++) {
        for (const row of gW[l]!) for (const v of row) norm += v * v
        for (const v of gB[l]!) norm += v * v
      }
      norm = Math.sqrt(norm) / batch.length
      const clip = norm > 5 ? 5 / norm : 1
      const step = (lr * clip) / batch.length
      for (let l = 0; l < L; l++) {
        const ly = layers[l]!
        for (let o = 0; o < ly.weights.length; o++) {
          const w = ly.weights[o]!
          const g = gW[l]![o]!
          for (let i = 0; i < w.length; i++) w[i]! -= step * g[i]!
          ly.bias[o]! -= step * gB[l]![o]!
        }
      }
    }
  }
  if (layers.some((ly) => ly.weights.some((row) => row.some((v) => !Number.isFinite(v))))) {
    throw new KrainError({ code: 'MODEL_TRAINING_DIVERGED', shortMessage: 'MLP training diverged (non-finite weights)', details: 'lower "learningRate"' })
  }
  return { kind: 'mlp', layers, activation: 'square' }
}
