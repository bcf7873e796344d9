/**
 * @module verify-inference
 * Off-chain verification of inference proofs (single and batch) against the pinned
 * verification keys, optionally also checking the public signals against the commitments and
 * output a verifier expects.
 */
import { anObject, typeError } from '@krain/core'
import { circuitArtifacts } from '../artifacts/artifacts.js'
import { unpackOutputs } from '../prove/prove-batch.js'
import type { Groth16Proof } from '../prove/prover-pool.js'
import { BATCH_CIRCUITS, CIRCUITS, type BatchCircuitName, type CircuitName } from '../spec.js'
import { parsePublicSignals, verifyGroth16 } from './groth16-verify.js'

/** Parameters of {@link verifyInference}. */
export type VerifyInferenceParameters = {
  /** Which circuit the proof is for (`proveInference` returns it). */
  circuit: 'inference_logistic' | 'inference_mlp'
  proof: Groth16Proof
  /** `[output, modelCommitment, inputCommitment]` as decimal strings or bigints. */
  publicSignals: readonly (string | bigint)[]
  /** When given, the proof must be for this model commitment. */
  expectedModelCommitment?: bigint
  /** When given, the proof must be for this input commitment. */
  expectedInputCommitment?: bigint
  /** When given, the proof must attest this output. */
  expectedOutput?: number
  /** A verification key to use instead of the pinned one (e.g. a production setup's). */
  vkey?: Record<string, unknown>
}

function circuitName(v: unknown, allowed: readonly CircuitName[]): CircuitName {
  if (typeof v !== 'string' || !allowed.includes(v as CircuitName)) typeError('circuit', allowed.map((a) => `'${a}'`).join(' or '), v)
  return v as CircuitName
}

/**
 * Verify an inference proof off-chain.
 * @param parameters - `{ circuit, proof, publicSignals }` and optional expected values
 * @returns true when the proof verifies (and matches every expected value given); false for a
 *   well-formed proof that does not
 * @throws {TypeError} when `circuit` is unknown
 * @throws {ZkMalformedProofError} when the proof or the public signals are junk
 * @throws {ZkArtifactError} when the verification key is missing or altered
 * @example
 * ```ts
 * const r = await proveInference({ model, input, salt })
 * await verifyInference(r) // true
 * ```
 */
export async function verifyInference(parameters: VerifyInferenceParameters): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as VerifyInferenceParameters
  const name = circuitName(p.circuit, ['inference_logistic', 'inference_mlp'])
  const vkey = p.vkey ?? circuitArtifacts(name).vkey
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(vkey, p.proof, p.publicSignals))) return false
  if (p.expectedOutput !== undefined && s[0] !== BigInt(p.expectedOutput)) return false
  if (p.expectedModelCommitment !== undefined && s[1] !== p.expectedModelCommitment) return false
  if (p.expectedInputCommitment !== undefined && s[2] !== p.expectedInputCommitment) return false
  const classes = name === 'inference_mlp' ? CIRCUITS.inference_mlp.classes : 2
  return s[0]! < BigInt(classes)
}

/** Parameters of {@link verifyInferenceBatch}. */
export type VerifyInferenceBatchParameters = {
  /** The batch circuit; default `inference_logistic_batch8`. */
  circuit?: BatchCircuitName
  proof: Groth16Proof
  /** `[packedOutputs, modelCommitment, batchCommitment]`. */
  publicSignals: readonly (string | bigint)[]
  expectedModelCommitment?: bigint
  expectedBatchCommitment?: bigint
  expectedOutputs?: readonly number[]
  vkey?: Record<string, unknown>
}

/**
 * Verify a batch proof off-chain.
 * @param parameters - `{ proof, publicSignals }` and optional expected values
 * @returns true when the proof verifies and matches every expected value given
 * @throws {ZkMalformedProofError} when the proof or the public signals are junk
 * @example
 * ```ts
 * const r = await proveInferenceBatch({ model, inputs, salts })
 * await verifyInferenceBatch(r) // true
 * ```
 */
export async function verifyInferenceBatch(parameters: VerifyInferenceBatchParameters): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as VerifyInferenceBatchParameters
  const name = circuitName(p.circuit ?? 'inference_logistic_batch8', [...BATCH_CIRCUITS]) as BatchCircuitName
  const vkey = p.vkey ?? circuitArtifacts(name).vkey
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(vkey, p.proof, p.publicSignals))) return false
  if (p.expectedModelCommitment !== undefined && s[1] !== p.expectedModelCommitment) return false
  if (p.expectedBatchCommitment !== undefined && s[2] !== p.expectedBatchCommitment) return false
  if (p.expectedOutputs !== undefined) {
    const k = CIRCUITS[name].batch
    const got = unpackOutputs(s[0]!, k)
    if (p.expectedOutputs.length !== k || got.some((o, i) => o !== p.expectedOutputs![i])) return false
  }
  return true
}
