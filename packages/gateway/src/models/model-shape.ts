/**
 * @module models/model-shape
 * Consistency of a registered model's shapes (the schema bounds sizes; this checks that layers fit
 * together and that every number is finite).
 */
import type { Model } from '@krain/models'
import { BadRequestError } from '../errors.js'

/**
 * Check a model's shapes.
 * @returns its input and output dimensions
 * @throws {BadRequestError} MODEL_INVALID naming the inconsistency
 */
export function checkModelShape(model: Model): { inputs: number; outputs: number } {
  const bad = (why: string): never => {
    throw new BadRequestError('MODEL_INVALID', `invalid model: ${why}`)
  }
  const finite = (xs: number[], what: string): void => {
    if (!xs.every(Number.isFinite)) bad(`${what} must be finite numbers`)
  }
  if (model.kind !== 'mlp') {
    finite(model.weights, 'weights')
    finite([model.bias], 'bias')
    return { inputs: model.weights.length, outputs: 1 }
  }
  let width = model.layers[0]!.weights[0]!.length
  const inputs = width
  model.layers.forEach((l, i) => {
    if (l.weights.length !== l.bias.length) bad(`layer ${i} has ${l.weights.length} rows but ${l.bias.length} biases`)
    l.weights.forEach((row, r) => {
      if (row.length !== width) bad(`layer ${i} row ${r} has ${row.length} weights, expected ${width}`)
      finite(row, `layer ${i} weights`)
    })
    finite(l.bias, `layer ${i} bias`)
    width = l.weights.length
  })
  return { inputs, outputs: width }
}
