/**
 * @module train
 * Deterministic plaintext training in TypeScript: logistic regression by full-batch gradient
 * descent with L2, and a small MLP with square activation by mini-batch SGD on softmax
 * cross-entropy. Small and dependency-free: the point is reproducible models for the
 * encrypted and proven paths, not a training framework.
 */
import { aFiniteNumber, aPositiveInt, anArray, KrainError } from '@krain/core'
import { denseForward } from './predict.js'
import type { Activation, DenseLayer, LinearModel, MlpModel, NetworkModel } from './types.js'

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

/**
 * A seeded PRNG (mulberry32) so training is reproducible.
 * @param seed - any integer (taken modulo 2^32)
 * @returns a function giving uniform numbers in [0, 1)
 */
export function seededRandom(seed: number): () => number {
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
  const r = seededRandom(seed)
  const sizes = [x[0]!.length, ...hidden, classes]
  const layers: DenseLayer[] = []
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!
    layers.push({
      weights: Array.from({ length: sizes[l + 1]! }, () => Array.from({ length: fanIn }, () => gaussian(r) / Math.sqrt(fanIn))),
      bias: new Array<number>(sizes[l + 1]!).fill(0),
    })
  }
  const network: NetworkModel = { kind: 'network', layers: layers.map((ly, l) => ({ ...ly, activation: l < layers.length - 1 ? 'square' : 'identity' })), head: 'argmax' }
  const w = sgdTrain({ model: network, start: flattenLayers(layers), x, y, epochs, learningRate: (e) => learningRate / (1 + e / 20), batchSize, random: r })
  let k = 0
  for (const ly of layers) {
    for (const row of ly.weights) for (let i = 0; i < row.length; i++) row[i] = w[k++]!
    for (let o = 0; o < ly.bias.length; o++) ly.bias[o] = w[k++]!
  }
  if (layers.some((ly) => ly.weights.some((row) => row.some((v) => !Number.isFinite(v))))) {
    throw new KrainError({ code: 'MODEL_TRAINING_DIVERGED', shortMessage: 'MLP training diverged (non-finite weights)', details: 'lower "learningRate"' })
  }
  return { kind: 'mlp', layers, activation: 'square' }
}

/** A network's parameters as one vector: per layer, its weights row by row, then its biases. */
function flattenLayers(layers: readonly DenseLayer[]): Float64Array {
  return Float64Array.from(layers.flatMap((l) => [...l.weights.flat(), ...l.bias]))
}

/** Parameters of {@link sgdTrain}. */
export type SgdTrainParameters = {
  /** The network (its layer shapes, activations and head); its weights are not read. */
  model: NetworkModel
  /** Starting parameters, flat (per layer: weights row by row, then biases). */
  start: Float64Array
  x: readonly (readonly number[])[]
  y: readonly number[]
  epochs: number
  /** The step size, or the step size of each epoch (0-based). */
  learningRate: number | ((epoch: number) => number)
  batchSize: number
  /** FedProx μ (Li et al., MLSys 2020): adds μ/2·‖w − start‖² to the objective. Default 0. */
  mu?: number
  /** Uniform numbers in [0, 1) for the batch order (e.g. {@link seededRandom}). */
  random: () => number
}

function act(a: Activation, z: number): number {
  switch (a) {
    case 'identity': return z
    case 'relu': return z > 0 ? z : 0
    case 'square': return z * z
    case 'tanh': return Math.tanh(z)
    case 'sigmoid': return 1 / (1 + Math.exp(-z))
  }
}

function dact(a: Activation, z: number): number {
  switch (a) {
    case 'identity': return 1
    case 'relu': return z > 0 ? 1 : 0
    case 'square': return 2 * z
    case 'tanh': { const t = Math.tanh(z); return 1 - t * t }
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s) }
  }
}

/** Layer offsets into the flat vector: [weightsOffset, biasOffset, out, in]. */
function layout(model: NetworkModel): [number, number, number, number][] {
  let k = 0
  return model.layers.map((l) => {
    const out = l.weights.length
    const inn = l.weights[0]!.length
    const w = k
    k += out * inn
    const b = k
    k += out
    return [w, b, out, inn]
  })
}

/**
 * Mini-batch SGD on a network's flat parameter vector: sigmoid cross-entropy for a `sign` head,
 * softmax cross-entropy for an `argmax` head (squared error otherwise), any hidden activation,
 * batch gradients clipped to norm 5 (square activations can blow up), optional FedProx term.
 * Internal engine of {@link trainMlp} and of `@krain/federated`'s local training: it trusts its
 * input and does not check that the result is finite (each caller throws its own error).
 * @returns the new flat parameters
 */
export function sgdTrain(p: SgdTrainParameters): Float64Array {
  const { model, x, y, random } = p
  const mu = p.mu ?? 0
  const w = Float64Array.from(p.start)
  const g = new Float64Array(w.length)
  const lay = layout(model)
  const L = lay.length
  const acts = model.layers.map((l) => l.activation)
  const order = Array.from({ length: x.length }, (_, i) => i)
  const zs: Float64Array[] = lay.map(([, , out]) => new Float64Array(out))
  const as: Float64Array[] = [new Float64Array(0), ...lay.map(([, , out]) => new Float64Array(out))]
  for (let e = 0; e < p.epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const lr = typeof p.learningRate === 'number' ? p.learningRate : p.learningRate(e)
    for (let s = 0; s < order.length; s += p.batchSize) {
      const batch = order.slice(s, s + p.batchSize)
      g.fill(0)
      for (const idx of batch) {
        const input = x[idx]!
        // forward
        for (let l = 0; l < L; l++) {
          const [wo, bo, out, inn] = lay[l]!
          const prev = l === 0 ? input : as[l]!
          const z = zs[l]!
          const a = as[l + 1]!
          for (let o = 0; o < out; o++) {
            let v = w[bo + o]!
            const base = wo + o * inn
            for (let i = 0; i < inn; i++) v += w[base + i]! * prev[i]!
            z[o] = v
            a[o] = act(acts[l]!, v)
          }
        }
        // output delta (loss gradient w.r.t. the last layer's output)
        const outA = as[L]!
        let delta: Float64Array
        if (model.head === 'sign') {
          const pr = 1 / (1 + Math.exp(-outA[0]!))
          delta = Float64Array.of(pr - y[idx]!)
        } else if (model.head === 'argmax') {
          let mx = -Infinity
          for (const v of outA) mx = Math.max(mx, v)
          let sum = 0
          delta = new Float64Array(outA.length)
          for (let k = 0; k < outA.length; k++) sum += delta[k] = Math.exp(outA[k]! - mx)
          for (let k = 0; k < outA.length; k++) delta[k] = delta[k]! / sum - (k === y[idx] ? 1 : 0)
        } else {
          delta = Float64Array.of(outA[0]! - y[idx]!)
        }
        if (acts[L - 1] !== 'identity') for (let k = 0; k < delta.length; k++) delta[k]! *= dact(acts[L - 1]!, zs[L - 1]![k]!)
        // backward
        for (let l = L - 1; l >= 0; l--) {
          const [wo, bo, out, inn] = lay[l]!
          const prev = l === 0 ? input : as[l]!
          for (let o = 0; o < out; o++) {
            const d = delta[o]!
            g[bo + o]! += d
            const base = wo + o * inn
            for (let i = 0; i < inn; i++) g[base + i]! += d * prev[i]!
          }
          if (l > 0) {
            const nd = new Float64Array(inn)
            for (let o = 0; o < out; o++) {
              const d = delta[o]!
              const base = wo + o * inn
              for (let i = 0; i < inn; i++) nd[i]! += w[base + i]! * d
            }
            const zp = zs[l - 1]!
            for (let i = 0; i < inn; i++) nd[i]! *= dact(acts[l - 1]!, zp[i]!)
            delta = nd
          }
        }
      }
      let norm = 0
      for (let k = 0; k < g.length; k++) norm += g[k]! * g[k]!
      norm = Math.sqrt(norm) / batch.length
      const clip = norm > 5 ? 5 / norm : 1
      const step = (lr * clip) / batch.length
      for (let k = 0; k < w.length; k++) w[k]! -= step * g[k]! + (mu > 0 ? lr * mu * (w[k]! - p.start[k]!) : 0)
    }
  }
  return w
}
