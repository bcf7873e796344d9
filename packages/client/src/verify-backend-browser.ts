/**
 * @module client/verify-backend-browser
 * What {@link verifyReceipt} checks with, in a browser (`#verify-backend` under the `browser`
 * condition): the same Groth16 pairing check (`@krain/zk/groth16`, ffjavascript's WebAssembly) and
 * `@krain/chain`'s browser entry. The pinned verification keys of the fixed inference circuits are
 * the ones compiled into `@krain/chain`'s generated verifiers (the keys its on-chain verifiers
 * were generated from), since a browser has no artifact files to read.
 */
import { anObject, typeError } from '@krain/core'
import { verifiers } from '@krain/chain'
import { parsePublicSignals, verifyGroth16, type Groth16Proof } from '@krain/zk/groth16'

export { batchId, createChainClient, inferenceId, verifyOnChainAndOffChain } from '@krain/chain'

/** Output classes of the fixed inference circuits (`CIRCUITS` of `@krain/zk`; a test keeps them equal). */
export const INFERENCE_CLASSES = { inference_logistic: 2, inference_mlp: 10 } as const

type Expected = { expectedOutput?: bigint | number; expectedModelCommitment?: bigint; expectedInputCommitment?: bigint }

function matches(s: bigint[], p: Expected): boolean {
  if (p.expectedOutput !== undefined && s[0] !== BigInt(p.expectedOutput)) return false
  if (p.expectedModelCommitment !== undefined && s[1] !== p.expectedModelCommitment) return false
  if (p.expectedInputCommitment !== undefined && s[2] !== p.expectedInputCommitment) return false
  return true
}

/** `verifyNetwork` of `@krain/zk`: a generated circuit's proof against its verification key. */
export async function verifyNetwork(parameters: { circuit: { vkey: Record<string, unknown> }; proof: Groth16Proof; publicSignals: readonly (string | bigint)[] } & Expected): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as typeof parameters
  const c = anObject(p.circuit, 'circuit') as { vkey: Record<string, unknown> }
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(anObject(c.vkey, 'circuit.vkey'), p.proof, p.publicSignals))) return false
  return matches(s, p)
}

/** `verifyInference` of `@krain/zk`: a fixed inference circuit's proof against its pinned key. */
export async function verifyInference(parameters: { circuit: 'inference_logistic' | 'inference_mlp'; proof: Groth16Proof; publicSignals: readonly (string | bigint)[]; vkey?: Record<string, unknown> } & Expected): Promise<boolean> {
  const p = anObject(parameters, 'parameters') as typeof parameters
  if (p.circuit !== 'inference_logistic' && p.circuit !== 'inference_mlp') typeError('circuit', "'inference_logistic' or 'inference_mlp'", p.circuit)
  const vkey = p.vkey ?? verifiers()[p.circuit]?.verificationKey
  if (!vkey) throw new TypeError(`no pinned verification key for ${p.circuit} in this build; pass "verificationKey"`)
  const s = parsePublicSignals(p.publicSignals, 3)
  if (!(await verifyGroth16(vkey, p.proof, p.publicSignals))) return false
  return matches(s, p) && s[0]! < BigInt(INFERENCE_CLASSES[p.circuit])
}
