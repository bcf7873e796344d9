/**
 * @module models/model-shape
 * Consistency of a registered model's shapes (the schema bounds sizes; `@krain/models` checks that
 * layers fit together and that every number is finite).
 */
import { assertModel, modelShape, type Model } from '@krain/models'
import { BadRequestError } from '../errors.js'

/**
 * Check a model's shapes.
 * @returns its input and output dimensions
 * @throws {BadRequestError} MODEL_INVALID naming the inconsistency
 */
export function checkModelShape(model: Model): { inputs: number; outputs: number } {
  try {
    const shape = modelShape(assertModel(model))
    return { inputs: shape.inputs, outputs: shape.outputs }
  } catch (e) {
    throw new BadRequestError('MODEL_INVALID', `invalid model: ${(e as Error).message}`)
  }
}
