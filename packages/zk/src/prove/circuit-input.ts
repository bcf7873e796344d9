/**
 * @module circuit-input
 * The input signals of each circuit, named as in `circuits/src/lib/inference.circom`. Negative
 * integers are written as field elements `r - |v|`.
 */
import { SNARK_SCALAR_FIELD } from '../field.js'
import type { QuantizedLogisticModel, QuantizedModel } from '../quantize/quantize-model.js'

const fe = (v: bigint): bigint => (v < 0n ? SNARK_SCALAR_FIELD + v : v)
const fes = (vs: readonly bigint[]): bigint[] => vs.map(fe)

/** Signals of `LogisticInference` / `MlpInference` for one row. */
export function singleInput(model: QuantizedModel, x: readonly bigint[], salt: bigint, modelCommitment: bigint, inputCommitment: bigint): Record<string, unknown> {
  if (model.kind === 'logistic') {
    return { modelCommitment, inputCommitment, weights: fes(model.weights), bias: fe(model.bias), x: fes(x), salt }
  }
  const [l1, l2] = model.layers
  return { modelCommitment, inputCommitment, w1: l1.weights.map(fes), b1: fes(l1.bias), w2: l2.weights.map(fes), b2: fes(l2.bias), x: fes(x), salt }
}

/** Signals of `LogisticBatchInference`. */
export function batchInput(model: QuantizedLogisticModel, xs: readonly (readonly bigint[])[], salts: readonly bigint[], modelCommitment: bigint, batchCommitment: bigint): Record<string, unknown> {
  return { modelCommitment, batchCommitment, weights: fes(model.weights), bias: fe(model.bias), x: xs.map(fes), salt: [...salts] }
}
