/**
 * @module predict-quantized
 * Integer evaluation of a quantised model: exactly what the circuit computes, so the label it
 * returns is the label a proof will carry.
 */
import type { QuantizedModel } from './quantize-model.js'

/** The quantised scores: `[score]` for logistic, the output logits for the MLP (integers). */
export function quantizedScores(model: QuantizedModel, x: readonly bigint[]): bigint[] {
  if (model.kind === 'logistic') {
    let s = model.bias
    for (let i = 0; i < x.length; i++) s += model.weights[i]! * x[i]!
    return [s]
  }
  const [l1, l2] = model.layers
  const a = l1.weights.map((row, o) => {
    let h = l1.bias[o]!
    for (let i = 0; i < x.length; i++) h += row[i]! * x[i]!
    return h * h
  })
  return l2.weights.map((row, o) => {
    let z = l2.bias[o]!
    for (let i = 0; i < a.length; i++) z += row[i]! * a[i]!
    return z
  })
}

/**
 * The label the circuit outputs for a quantised input: logistic → `score >= 0 ? 1 : 0`;
 * MLP → index of the largest logit (the first on ties).
 * @param model - the quantised model
 * @param x - the quantised input (see `quantizeInput`)
 * @returns the label
 * @example
 * ```ts
 * const q = quantizeModel(model)
 * predictQuantized(q, quantizeInput(q, row))
 * ```
 */
export function predictQuantized(model: QuantizedModel, x: readonly bigint[]): number {
  const s = quantizedScores(model, x)
  if (model.kind === 'logistic') return s[0]! >= 0n ? 1 : 0
  let best = 0
  for (let i = 1; i < s.length; i++) if (s[i]! > s[best]!) best = i
  return best
}
