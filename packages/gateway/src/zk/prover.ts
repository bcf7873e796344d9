/**
 * @module zk/prover
 * Proving and model commitments through `@krain/zk`. These run on the main thread's side of
 * `@krain/zk`, whose `proveInference` already computes the witness and the Groth16 proof in its
 * own worker threads (snarkjs/ffjavascript cannot be loaded inside a piscina worker: ffjavascript
 * takes any non-main thread for one of its own workers). The event loop only does the quantising
 * and the Poseidon commitments (milliseconds).
 */
import { commitModel, proveInference, proveNetwork } from '@krain/zk'
import type { Model } from '@krain/models'
import { circuitOfModel } from './generated-circuits.js'

/** Result of {@link proveSpec}. */
export type ProveResult = { circuit: string; proof: unknown; publicSignals: string[]; output: string; modelCommitment: string; inputCommitment: string }

/** The model's Poseidon commitment (decimal), or null (with the reason) when no circuit supports the model. */
export async function commitModelSpec(model: Model): Promise<{ commitment: string | null; reason?: string }> {
  try {
    return { commitment: String(await commitModel(model)) }
  } catch (e) {
    const x = e as { code?: string; shortMessage?: string; message?: string }
    if (x.code === 'ZK_UNSUPPORTED_MODEL' || e instanceof RangeError || e instanceof TypeError) return { commitment: null, reason: x.shortMessage ?? x.message }
    throw e
  }
}

/**
 * Prove `output = model(input)` for the committed model and the salted input commitment: with the
 * model's generated circuit when it has one (`proveNetwork`), else with its shipped circuit.
 */
export async function proveSpec({ spec, input, salt, modelId }: { spec: Model; input: number[]; salt: string; modelId?: string }): Promise<ProveResult> {
  const g = modelId ? circuitOfModel(modelId) : undefined
  if (g) {
    const r = await proveNetwork({ circuit: g.circuit, quantized: g.quantized, input, salt: BigInt(salt) })
    return { circuit: r.circuitId, proof: r.proof, publicSignals: [...r.publicSignals], output: String(r.output), modelCommitment: String(r.modelCommitment), inputCommitment: String(r.inputCommitment) }
  }
  const r = await proveInference({ model: spec, input, salt: BigInt(salt) })
  return { circuit: r.circuit, proof: r.proof, publicSignals: [...r.publicSignals], output: String(r.output), modelCommitment: String(r.modelCommitment), inputCommitment: String(r.inputCommitment) }
}
