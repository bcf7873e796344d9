/**
 * @module prove-batch
 * Batch proofs: k inferences of one committed logistic model in one Groth16 proof (k = 8 with
 * `inference_logistic_batch8`, k = 13 with `inference_logistic_batch13`).
 * Public signals `[packedOutputs, modelCommitment, batchCommitment]`, with
 * `packedOutputs = Σ output_i · 256^i` and `batchCommitment = commitBatch(inputCommitments)`.
 * One proof for k rows divides on-chain verification gas per inference by ~k.
 */
import { anArray, anObject, typeError } from '@krain/core'
import type { Model } from '@krain/models'
import { circuitArtifacts } from '../artifacts/artifacts.js'
import { aSalt, commitQuantizedInput, modelCommitmentPreimage } from '../commit/commit.js'
import { getPoseidon, poseidonChainWith } from '../commit/poseidon-chain.js'
import { ZkProvingError, ZkUnsupportedModelError } from '../errors.js'
import { predictQuantized } from '../quantize/predict-quantized.js'
import { quantizeInput } from '../quantize/quantize-input.js'
import { quantizeModel, type QuantizedModel } from '../quantize/quantize-model.js'
import { BATCH_CIRCUITS, CIRCUITS, type BatchCircuitName } from '../spec.js'
import { batchInput } from './circuit-input.js'
import { runProveJob, type Groth16Proof } from './prover-pool.js'

/** Parameters of {@link proveInferenceBatch}. */
export type ProveInferenceBatchParameters = {
  /** A logistic model (or its quantised form). */
  model: Model | QuantizedModel
  /** Exactly `batch` input rows of the circuit (8 or 13). */
  inputs: readonly (readonly (number | bigint)[])[]
  /** One salt per row. */
  salts: readonly bigint[]
  /** The batch circuit; default: the one whose batch size is `inputs.length`. */
  circuit?: BatchCircuitName
}

/** Result of {@link proveInferenceBatch}. */
export type ProveInferenceBatchReturnType = {
  circuit: BatchCircuitName
  proof: Groth16Proof
  /** `[packedOutputs, modelCommitment, batchCommitment]`, decimal strings. */
  publicSignals: [string, string, string]
  outputs: number[]
  modelCommitment: bigint
  inputCommitments: bigint[]
  batchCommitment: bigint
}

/** Pack per-row labels (each 0..255) as `Σ output_i · 256^i`. */
export function packOutputs(outputs: readonly number[]): bigint {
  return outputs.reduce((acc, o, i) => acc + (BigInt(o) << BigInt(8 * i)), 0n)
}

/**
 * Unpack `packedOutputs` into `k` labels.
 * @param packed - the first public signal of a batch proof
 * @param k - the batch size
 * @returns the labels in row order
 */
export function unpackOutputs(packed: bigint, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Number((packed >> BigInt(8 * i)) & 0xffn))
}

/**
 * Prove k inferences of one committed logistic model in one proof (k = 8 or 13: the batch size
 * of `circuit`, or picked from `inputs.length` when `circuit` is omitted).
 * @param parameters - `{ model, inputs, salts, circuit? }`
 * @returns the proof, its public signals, the outputs and every commitment
 * @throws {TypeError|RangeError} on wrong or out-of-range arguments (including a batch of another size)
 * @throws {ZkUnsupportedModelError} for a model that is not logistic
 * @throws {ZkArtifactError|ZkProvingError} as `proveInference`
 * @example
 * ```ts
 * const salts = rows.map(() => randomSalt())
 * const r = await proveInferenceBatch({ model, inputs: rows, salts })
 * ```
 */
export async function proveInferenceBatch(parameters: ProveInferenceBatchParameters): Promise<ProveInferenceBatchReturnType> {
  const p = anObject(parameters, 'parameters') as ProveInferenceBatchParameters
  const model = quantizeModel(p.model)
  if (model.kind !== 'logistic') throw new ZkUnsupportedModelError({ shortMessage: 'batch proofs are available for logistic models only' })
  const circuit = batchCircuitFor(p.circuit, p.inputs)
  const k = CIRCUITS[circuit].batch
  const rows = anArray<readonly (number | bigint)[]>(p.inputs, 'inputs', k, k).map((r, i) => quantizeInput(model, r, `inputs[${i}]`))
  const salts = anArray<unknown>(p.salts, 'salts', k, k).map((s, i) => aSalt(s, `salts[${i}]`))
  const art = circuitArtifacts(circuit)
  const poseidon = await getPoseidon()
  const modelCommitment = poseidonChainWith(poseidon, modelCommitmentPreimage(model))
  const inputCommitments = await Promise.all(rows.map((x, i) => commitQuantizedInput(model, x, salts[i]!)))
  const batchCommitment = poseidonChainWith(poseidon, inputCommitments)
  const outputs = rows.map((x) => predictQuantized(model, x))
  const { proof, publicSignals } = await runProveJob({ wasm: art.wasmPath, zkey: art.zkeyPath, input: batchInput(model, rows, salts, modelCommitment, batchCommitment) })
  const expected = [String(packOutputs(outputs)), String(modelCommitment), String(batchCommitment)]
  if (publicSignals.length !== 3 || publicSignals.some((s, i) => s !== expected[i])) {
    throw new ZkProvingError({ shortMessage: 'the batch proof does not carry the expected public signals', details: `got [${publicSignals.join(', ')}], expected [${expected.join(', ')}]` })
  }
  return { circuit, proof, publicSignals: publicSignals as [string, string, string], outputs, modelCommitment, inputCommitments, batchCommitment }
}

/**
 * The batch circuit to use: `circuit` when given (checked), otherwise the one whose batch size is
 * the number of rows; a row count no circuit has falls through to `inference_logistic_batch8`,
 * whose size check then throws the `RangeError`.
 */
function batchCircuitFor(circuit: unknown, inputs: unknown): BatchCircuitName {
  if (circuit !== undefined) {
    if (typeof circuit !== 'string' || !(BATCH_CIRCUITS as readonly string[]).includes(circuit)) typeError('circuit', BATCH_CIRCUITS.map((c) => `'${c}'`).join(' or '), circuit)
    return circuit as BatchCircuitName
  }
  const n = Array.isArray(inputs) ? inputs.length : -1
  return BATCH_CIRCUITS.find((c) => CIRCUITS[c].batch === n) ?? 'inference_logistic_batch8'
}
