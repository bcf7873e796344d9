/**
 * @module params
 * A network's trainable parameters as one flat vector (layer by layer: weights row-major, then
 * bias), the shape secure aggregation sums, and back.
 */
import type { NetworkModel } from '@krain/models'

/** Number of trainable parameters of a network. */
export function parameterCount(model: NetworkModel): number {
  return model.layers.reduce((s, l) => s + l.weights.length * (l.weights[0]?.length ?? 0) + l.bias.length, 0)
}

/** Flatten a network's weights and biases into one vector. */
export function flattenParameters(model: NetworkModel): Float64Array {
  const out = new Float64Array(parameterCount(model))
  let k = 0
  for (const l of model.layers) {
    for (const row of l.weights) for (const v of row) out[k++] = v
    for (const v of l.bias) out[k++] = v
  }
  return out
}

/** A copy of `model` whose weights and biases are taken from `flat` (same layout as {@link flattenParameters}). */
export function withParameters(model: NetworkModel, flat: ArrayLike<number>): NetworkModel {
  let k = 0
  const layers = model.layers.map((l) => ({
    activation: l.activation,
    weights: l.weights.map((row) => row.map(() => flat[k++]!)),
    bias: l.bias.map(() => flat[k++]!),
  }))
  return { ...model, layers }
}
