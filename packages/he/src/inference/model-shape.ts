/**
 * @module inference/model-shape
 * The model's view as a list of dense layers for the CKKS evaluator. Validation, shape and
 * fingerprint have one owner, `@krain/models`; this module re-exports them under the names the
 * inference code uses.
 */
import { assertModel, toNetwork, type Model, type NetworkLayer } from '@krain/models'

export { inputsOf, modelFingerprint, outputsOf } from '@krain/models'

/** The layers of a model (canonical form), as `weights[out][in]`, `bias[out]` and activation. */
export function layersOf(model: Model): NetworkLayer[] {
  return toNetwork(model).layers
}

/**
 * Check a model's structure (see `assertModel` in `@krain/models`).
 * @throws {TypeError} / {RangeError} naming the offending field
 */
export function checkModel(v: unknown, name = 'model'): Model {
  return assertModel(v, name)
}
