/**
 * @module zk/generated-circuits
 * The built circuits of registered models, in this process: by model id (for the prover), by
 * circuit id (the chain adapter deploys its verifier) and by model commitment (the chain adapter
 * verifies a record off-chain with its verification key). Filled when a build finishes and, after
 * a restart, from the stored models and the circuit cache (`@krain/zk` `loadCircuit` re-checks
 * every file's hash).
 */
import { readFileSync } from 'node:fs'
import type { NetworkCircuit, QuantizedNetwork } from '@krain/zk'

/** A model's built circuit and the quantisation it was built from. */
export type GeneratedCircuit = { modelId: string; modelCommitment: string; quantized: QuantizedNetwork; circuit: NetworkCircuit }

const byModel = new Map<string, GeneratedCircuit>()
const byCircuit = new Map<string, GeneratedCircuit>()
const byCommitment = new Map<string, GeneratedCircuit>()

/** Remember a built circuit. */
export function rememberCircuit(g: GeneratedCircuit): void {
  byModel.set(g.modelId, g)
  byCircuit.set(g.circuit.id, g)
  byCommitment.set(g.modelCommitment, g)
}

/** The built circuit of a model, if any. */
export function circuitOfModel(modelId: string): GeneratedCircuit | undefined {
  return byModel.get(modelId)
}

/** Solidity source of a generated circuit's verifier, if that circuit is built here. */
export function verifierSolidityOf(circuitId: string): string | undefined {
  const g = byCircuit.get(circuitId)
  return g ? readFileSync(g.circuit.verifierPath, 'utf8') : undefined
}

/** Verification key of the generated circuit of a model commitment (decimal), if known here. */
export function verificationKeyOf(modelCommitment: string): Record<string, unknown> | undefined {
  return byCommitment.get(modelCommitment)?.circuit.vkey
}
