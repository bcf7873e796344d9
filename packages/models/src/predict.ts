/**
 * @module predict
 * Plaintext evaluation: the reference every encrypted or proven evaluation is checked against
 * (and itself checked against onnxruntime on the imported fixtures).
 */
import { toNetwork } from './network.js'
import type { Activation, DenseLayer, Model, Standardization } from './types.js'

/** `W x + b` for one dense layer. */
export function denseForward(layer: DenseLayer, x: number[]): number[] {
  const out = new Array<number>(layer.bias.length)
  for (let o = 0; o < out.length; o++) {
    const w = layer.weights[o]!
    let s = layer.bias[o]!
    for (let i = 0; i < x.length; i++) s += w[i]! * x[i]!
    out[o] = s
  }
  return out
}

/** The activation function itself, on one value. */
export function activate(a: Activation, v: number): number {
  switch (a) {
    case 'identity':
      return v
    case 'square':
      return v * v
    case 'relu':
      return v > 0 ? v : 0
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v))
    case 'tanh':
      return Math.tanh(v)
  }
}

/** `(x − mean) / scale`, the model's input standardisation (identity when absent). */
export function standardizeRow(s: Standardization | undefined, row: number[]): number[] {
  if (!s) return row
  return row.map((v, i) => (v - s.mean[i]!) / s.scale[i]!)
}

/**
 * The model's raw scores for one row: the last layer's outputs after its activation (logits for
 * `sign`/`argmax` heads, values for `regression`). A standardisation, if any, is applied first.
 * @param model - the model
 * @param row - one feature row (raw when the model carries a standardisation)
 * @returns the scores
 * @example
 * ```ts
 * predictScores({ kind: 'logistic', weights: [1, -1], bias: 0 }, [2, 1]) // [1]
 * ```
 */
export function predictScores(model: Model, row: number[]): number[] {
  const net = toNetwork(model)
  let h = standardizeRow(net.standardize, row)
  for (const layer of net.layers) {
    h = denseForward(layer, h)
    if (layer.activation !== 'identity') h = h.map((v) => activate(layer.activation, v))
  }
  return h
}

/** Index of the largest value (first on ties). */
export function argmax(xs: number[]): number {
  let best = 0
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i
  return best
}

/** Numerically stable softmax. */
export function softmax(xs: number[]): number[] {
  const m = Math.max(...xs)
  const e = xs.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

/**
 * Class probabilities: `[1 − σ(s), σ(s)]` for a `sign` head, softmax of the scores for `argmax`.
 * @throws {TypeError} for a regression model
 */
export function predictProba(model: Model, row: number[]): number[] {
  const net = toNetwork(model)
  const s = predictScores(net, row)
  if (net.head === 'sign') {
    const p = 1 / (1 + Math.exp(-s[0]!))
    return [1 - p, p]
  }
  if (net.head === 'argmax') return softmax(s)
  throw new TypeError('"model.head" expected a classifier (sign or argmax), got regression')
}

/**
 * The predicted label (class index): `sign` → score ≥ 0 ? 1 : 0; `argmax` → argmax of the
 * scores; `regression` → the first output rounded to the nearest integer.
 */
export function predictLabel(model: Model, row: number[]): number {
  const net = toNetwork(model)
  const s = predictScores(net, row)
  if (net.head === 'sign') return s[0]! >= 0 ? 1 : 0
  if (net.head === 'regression') return Math.round(s[0]!)
  return argmax(s)
}

/** Fraction of rows whose predicted label equals `y`. */
export function accuracy(model: Model, x: number[][], y: number[]): number {
  let ok = 0
  for (let i = 0; i < x.length; i++) if (predictLabel(model, x[i]!) === y[i]) ok++
  return ok / x.length
}
