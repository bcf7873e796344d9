/**
 * @module predict
 * Plaintext evaluation: the reference every encrypted or proven evaluation is checked against.
 */
import type { DenseLayer, Model } from './types.js'

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

/**
 * The model's raw scores for one row: `[w·x + b]` (the logit) for linear and logistic models,
 * the output logits for an MLP.
 * @param model - the model
 * @param row - one preprocessed feature row
 * @returns the scores
 * @example
 * ```ts
 * predictScores({ kind: 'logistic', weights: [1, -1], bias: 0 }, [2, 1]) // [1]
 * ```
 */
export function predictScores(model: Model, row: number[]): number[] {
  if (model.kind !== 'mlp') {
    let s = model.bias
    for (let i = 0; i < row.length; i++) s += model.weights[i]! * row[i]!
    return [s]
  }
  let h = row
  model.layers.forEach((layer, l) => {
    h = denseForward(layer, h)
    if (l < model.layers.length - 1) h = h.map((v) => v * v)
  })
  return h
}

/** Index of the largest value (first on ties). */
export function argmax(xs: number[]): number {
  let best = 0
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i
  return best
}

/**
 * The predicted label: logistic → score ≥ 0 ? 1 : 0; MLP → argmax of the logits;
 * linear (regression) → the score rounded to the nearest integer.
 */
export function predictLabel(model: Model, row: number[]): number {
  const s = predictScores(model, row)
  if (model.kind === 'logistic') return s[0]! >= 0 ? 1 : 0
  if (model.kind === 'linear') return Math.round(s[0]!)
  return argmax(s)
}

/** Fraction of rows whose predicted label equals `y`. */
export function accuracy(model: Model, x: number[][], y: number[]): number {
  let ok = 0
  for (let i = 0; i < x.length; i++) if (predictLabel(model, x[i]!) === y[i]) ok++
  return ok / x.length
}
