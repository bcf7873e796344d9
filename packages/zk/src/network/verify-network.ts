/**
 * @module verify-network
 * Off-chain verification of a generated circuit's proof (single or batch) against its
 * verification key, with optional expected values of the three public signals.
 */
import { aFieldElement, anArray, anObject } from '@krain/core'
import { getPoseidon, poseidonChainWith } from '../commit/poseidon-chain.js'
import { SNARK_SCALAR_FIELD } from '../field.js'
import { parsePublicSignals, verifyGroth16, type Groth16Proof } from '../groth16/groth16.js'
import type { NetworkCircuit } from './build-circuit.js'
import { MAX_NETWORK_BATCH } from './circuit-spec.js'
import { packBatchOutputs } from './prove-network-batch.js'

/** Parameters of {@link verifyNetwork}. */
export type VerifyNetworkParameters = {
  /** The circuit (its verification key is used), or just `{ vkey }`. */
  circuit: Pick<NetworkCircuit, 'vkey'>
  proof: Groth16Proof
  /** `[output, modelCommitment, inputCommitment]`. */
  publicSignals: readonly (string | bigint)[]
  expectedOutput?: bigint
  expectedModelCommitment?: bigint
  expectedInputCommitment?: bigint
}

/**
 * Verify a proof of a generated circuit.
 * @param parameters - `{ circuit, proof, publicSignals, expected* }`
 * @returns true when the pairing check holds and every expected value matches; false otherwise
 * @throws {ZkMalformedProofError} when the proof or the signals are junk
 * @example
 * ```ts
 * await verifyNetwork({ circuit, ...r, expectedModelCommitment: mc }) // true
 * ```
 */
export async function verifyNetwork(parameters: VerifyNetworkParameters): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as VerifyNetworkParameters
  const c = anObject(p.circuit, 'circuit') as Pick<NetworkCircuit, 'vkey'>
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(anObject(c.vkey, 'circuit.vkey'), p.proof, p.publicSignals))) return false
  if (p.expectedOutput !== undefined && s[0] !== p.expectedOutput) return false
  if (p.expectedModelCommitment !== undefined && s[1] !== p.expectedModelCommitment) return false
  if (p.expectedInputCommitment !== undefined && s[2] !== p.expectedInputCommitment) return false
  return true
}

/** Parameters of {@link verifyNetworkBatch}. */
export type VerifyNetworkBatchParameters = {
  /** The batch circuit (its verification key is used), or just `{ vkey }`. */
  circuit: Pick<NetworkCircuit, 'vkey'>
  proof: Groth16Proof
  /** `[packedOutputs, modelCommitment, batchCommitment]`. */
  publicSignals: readonly (string | bigint)[]
  /** Each row's output, in row order (compared with `packedOutputs`, one byte per row). */
  expectedOutputs?: readonly bigint[]
  expectedModelCommitment?: bigint
  /** The rows' input commitments, in order: their Poseidon chain must be the batch commitment. */
  expectedInputCommitments?: readonly bigint[]
  expectedBatchCommitment?: bigint
}

/**
 * Verify a batch proof of a generated batch circuit.
 * @param parameters - `{ circuit, proof, publicSignals, expected* }`
 * @returns true when the pairing check holds and every expected value matches; false otherwise
 * @throws {ZkMalformedProofError} when the proof or the signals are junk
 * @example
 * ```ts
 * await verifyNetworkBatch({ circuit, ...r, expectedInputCommitments: r.inputCommitments }) // true
 * ```
 */
export async function verifyNetworkBatch(parameters: VerifyNetworkBatchParameters): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as VerifyNetworkBatchParameters
  const c = anObject(p.circuit, 'circuit') as Pick<NetworkCircuit, 'vkey'>
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(anObject(c.vkey, 'circuit.vkey'), p.proof, p.publicSignals))) return false
  if (p.expectedOutputs !== undefined && s[0] !== packBatchOutputs(anArray<bigint>(p.expectedOutputs, 'expectedOutputs', 1, MAX_NETWORK_BATCH))) return false
  if (p.expectedModelCommitment !== undefined && s[1] !== p.expectedModelCommitment) return false
  if (p.expectedBatchCommitment !== undefined && s[2] !== p.expectedBatchCommitment) return false
  if (p.expectedInputCommitments !== undefined) {
    const ics = anArray<bigint>(p.expectedInputCommitments, 'expectedInputCommitments', 1, MAX_NETWORK_BATCH)
    if (s[2] !== poseidonChainWith(await getPoseidon(), ics.map((v, i) => aFieldElement(v, `expectedInputCommitments[${i}]`, SNARK_SCALAR_FIELD)))) return false
  }
  return true
}
