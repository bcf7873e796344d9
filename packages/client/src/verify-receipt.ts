/**
 * @module client/verify-receipt
 * A verifier's check of a proven-inference receipt, independent of the gateway: the proof
 * verifies off-chain with `@krain/zk`'s pinned verification key, and on-chain the registry holds
 * the record under `inferenceId(model, input, output)`, recorded by the receipt's transaction, with
 * a proof the deployed verifier contract accepts.
 */
import { createChainClient, inferenceId, verifyOnChainAndOffChain } from '@krain/chain'
import { verifyInference, verifyNetwork, type Groth16Proof } from '@krain/zk'
import type { ProvenInferenceReceipt } from './krain-client.js'

/** Outcome of {@link verifyReceipt}. */
export type VerifyReceiptReturnType = { valid: boolean; offChain: boolean; onChain: boolean; recordedByReceiptTx: boolean; blockNumber: string | null }

/**
 * Check a receipt against the chain and the proof system.
 * @param p - `receipt` (from `KrainClient.receipt` or the gateway), `rpcUrl` of the chain
 * @returns each check and their conjunction
 * @example
 * ```ts
 * const { valid } = await verifyReceipt({ receipt, rpcUrl: 'https://mainnet.base.org' })
 * ```
 */
export async function verifyReceipt({ receipt, rpcUrl, expectedModelCommitment, verificationKey }: { receipt: ProvenInferenceReceipt; rpcUrl: string; expectedModelCommitment?: bigint; verificationKey?: Record<string, unknown> }): Promise<VerifyReceiptReturnType> {
  const [output, modelCommitment, inputCommitment] = receipt.publicSignals.map((s) => BigInt(s)) as [bigint, bigint, bigint]
  // A generated circuit (a model's own shape) is checked with its verification key (public:
  // `GET /v1/models/:id/circuit` or the circuit cache's verification_key.json).
  const offChain = verificationKey
    ? await verifyNetwork({ circuit: { vkey: verificationKey }, proof: receipt.proof as Groth16Proof, publicSignals: receipt.publicSignals, ...(expectedModelCommitment !== undefined ? { expectedModelCommitment } : {}) })
    : await verifyInference({
    circuit: receipt.circuit as 'inference_logistic' | 'inference_mlp',
    proof: receipt.proof as Groth16Proof,
    publicSignals: receipt.publicSignals,
    ...(expectedModelCommitment !== undefined ? { expectedModelCommitment } : {}),
  })
  const client = await createChainClient({ rpcUrl })
  const v = await verifyOnChainAndOffChain({ client, registry: receipt.receipt.registry, id: inferenceId(modelCommitment, inputCommitment, output), ...(verificationKey ? { verificationKey } : {}) })
  const recordedByReceiptTx = v.record?.transactionHash.toLowerCase() === receipt.receipt.txHash.toLowerCase()
  const onChain = v.valid
  return { valid: offChain && onChain && recordedByReceiptTx, offChain, onChain, recordedByReceiptTx, blockNumber: v.record ? String(v.record.blockNumber) : null }
}
