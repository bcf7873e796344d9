/**
 * @module prove-inference
 * One-call proven inference: quantise, commit, compute the witness and the Groth16 proof in a
 * worker thread, and check that the proof's public signals are the expected ones.
 */
import { anObject } from '@krain/core'
import type { Model } from '@krain/models'
import { circuitArtifacts } from '../artifacts/artifacts.js'
import { aSalt, commitQuantizedInput, modelCommitmentPreimage } from '../commit/commit.js'
import { getPoseidon, poseidonChainWith } from '../commit/poseidon-chain.js'
import { ZkProvingError } from '../errors.js'
import { predictQuantized } from '../quantize/predict-quantized.js'
import { quantizeInput } from '../quantize/quantize-input.js'
import { quantizeModel, type QuantizedModel } from '../quantize/quantize-model.js'
import { singleInput } from './circuit-input.js'
import { runProveJob, type Groth16Proof } from './prover-pool.js'

/** Parameters of {@link proveInference}. */
export type ProveInferenceParameters = {
  /** A logistic or MLP model from `@krain/models`, or its quantised form. */
  model: Model | QuantizedModel
  /** The preprocessed feature row (numbers) or its quantised form (bigints). */
  input: readonly (number | bigint)[]
  /** The input commitment's salt: a uniformly random field element (see `randomSalt`). */
  salt: bigint
}

/** Result of {@link proveInference}. */
export type ProveInferenceReturnType = {
  circuit: 'inference_logistic' | 'inference_mlp'
  proof: Groth16Proof
  /** `[output, modelCommitment, inputCommitment]`, decimal strings. */
  publicSignals: [string, string, string]
  /** The predicted class label the proof attests. */
  output: number
  modelCommitment: bigint
  inputCommitment: bigint
}

/** The circuit that proves a quantised model's inferences. */
export function circuitOf(model: QuantizedModel): 'inference_logistic' | 'inference_mlp' {
  return model.kind === 'logistic' ? 'inference_logistic' : 'inference_mlp'
}

/**
 * Prove that `output = model(input)` for the committed model and the committed, salted input.
 * Runs off the main thread; the model and the input stay private (only the commitments and
 * the output are public).
 * @param parameters - `{ model, input, salt }`
 * @returns the proof, its public signals `[output, modelCommitment, inputCommitment]` and the output
 * @throws {TypeError|RangeError} on wrong or out-of-range arguments
 * @throws {ZkUnsupportedModelError} for a model without a circuit
 * @throws {ZkArtifactError} when the circuit artifacts are missing or altered
 * @throws {ZkProvingError} when the prover fails
 * @example
 * ```ts
 * const { model, test } = breastCancerTask()
 * const { proof, publicSignals, output } = await proveInference({ model, input: test.x[0], salt: randomSalt() })
 * ```
 */
export async function proveInference(parameters: ProveInferenceParameters): Promise<ProveInferenceReturnType> {
  const p = anObject(parameters, 'parameters') as ProveInferenceParameters
  const model = quantizeModel(p.model)
  const x = quantizeInput(model, p.input)
  const salt = aSalt(p.salt, 'salt')
  const circuit = circuitOf(model)
  const art = circuitArtifacts(circuit)
  const modelCommitment = poseidonChainWith(await getPoseidon(), modelCommitmentPreimage(model))
  const inputCommitment = await commitQuantizedInput(model, x, salt)
  const output = predictQuantized(model, x)
  const { proof, publicSignals } = await runProveJob({ wasm: art.wasmPath, zkey: art.zkeyPath, input: singleInput(model, x, salt, modelCommitment, inputCommitment) })
  const expected = [String(output), String(modelCommitment), String(inputCommitment)]
  if (publicSignals.length !== 3 || publicSignals.some((s, i) => s !== expected[i])) {
    throw new ZkProvingError({ shortMessage: 'the proof does not carry the expected public signals', details: `got [${publicSignals.join(', ')}], expected [${expected.join(', ')}]` })
  }
  return { circuit, proof, publicSignals: publicSignals as [string, string, string], output, modelCommitment, inputCommitment }
}
