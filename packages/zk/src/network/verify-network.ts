/**
 * @module verify-network
 * Off-chain verification of a generated circuit's proof against its verification key, with
 * optional expected values of the three public signals.
 */
import { anObject } from '@krain/core'
import { parsePublicSignals, verifyGroth16, type Groth16Proof } from '../groth16/groth16.js'
import type { NetworkCircuit } from './build-circuit.js'

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
