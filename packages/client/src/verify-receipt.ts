/**
 * @module client/verify-receipt
 * A verifier's check of a proven-inference receipt, independent of the gateway: the proof
 * verifies off-chain with `@krain/zk`'s pinned verification key, and on-chain the registry holds
 * the record under `inferenceId(model, input, output)`, recorded by the receipt's transaction, with
 * a proof the deployed verifier contract accepts. Every `valid: false` comes with `reasons` saying
 * why (wrong chain, no registry there, a chain reset since the receipt, no record, another
 * transaction, a proof that does not verify). Runs in Node and in a browser (`#verify-backend`
 * picks the checks' implementation; the browser's takes the pinned keys from `@krain/chain`).
 */
import type { Groth16Proof } from '@krain/zk/groth16'
import { createChainClient, inferenceId, verifyInference, verifyNetwork, verifyOnChainAndOffChain } from '#verify-backend'
import type { ProvenInferenceReceipt } from './krain-client.js'

/** Outcome of {@link verifyReceipt}: each check, their conjunction, and why it is not valid (empty when valid). */
export type VerifyReceiptReturnType = { valid: boolean; offChain: boolean; onChain: boolean; recordedByReceiptTx: boolean; blockNumber: string | null; chainId: number; reasons: string[] }

/**
 * Check a receipt against the chain and the proof system.
 * @param p - `receipt` (from `KrainClient.receipt` or the gateway), `rpcUrl` of the chain
 * @returns each check, their conjunction, and the reasons of a `false`
 * @example
 * ```ts
 * const { valid, reasons } = await verifyReceipt({ receipt, rpcUrl: 'https://mainnet.base.org' })
 * ```
 */
export async function verifyReceipt({ receipt, rpcUrl, expectedModelCommitment, verificationKey }: { receipt: ProvenInferenceReceipt; rpcUrl: string; expectedModelCommitment?: bigint; verificationKey?: Record<string, unknown> }): Promise<VerifyReceiptReturnType> {
  const reasons: string[] = []
  const [output, modelCommitment, inputCommitment] = receipt.publicSignals.map((s) => BigInt(s)) as [bigint, bigint, bigint]
  // A generated circuit (a model's own shape) is checked with its verification key (public:
  // `GET /v1/models/:id/circuit` or the circuit cache's verification_key.json).
  const offChain = await (verificationKey
    ? verifyNetwork({ circuit: { vkey: verificationKey }, proof: receipt.proof as Groth16Proof, publicSignals: receipt.publicSignals, ...(expectedModelCommitment !== undefined ? { expectedModelCommitment } : {}) })
    : verifyInference({
        circuit: receipt.circuit as 'inference_logistic' | 'inference_mlp',
        proof: receipt.proof as Groth16Proof,
        publicSignals: receipt.publicSignals,
        ...(expectedModelCommitment !== undefined ? { expectedModelCommitment } : {}),
      })
  ).catch((e: unknown) => {
    reasons.push(`the proof cannot be checked off-chain: ${(e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message}`)
    return null
  })
  if (offChain === false) reasons.push(`the proof does not verify off-chain against the ${verificationKey ? 'given' : `${receipt.circuit}`} verification key (a changed receipt${verificationKey ? ', or the key of another circuit' : ''}${expectedModelCommitment !== undefined ? ', or another model than expected' : ''})`)

  const client = await createChainClient({ rpcUrl })
  const chainId = client.chain.id
  const where = `${new URL(rpcUrl).origin} (chain ${chainId})`
  const fail = (): VerifyReceiptReturnType => ({ valid: false, offChain: offChain === true, onChain: false, recordedByReceiptTx: false, blockNumber: null, chainId, reasons })
  if (chainId !== receipt.receipt.chainId) {
    reasons.push(`wrong chain: the receipt was recorded on chain ${receipt.receipt.chainId}, ${where} is another chain`)
    return fail()
  }
  const head = await client.publicClient.getBlockNumber()
  const receiptBlock = BigInt(receipt.receipt.blockNumber)
  const reset = head < receiptBlock ? `; the chain's head is block ${head}, before the receipt's block ${receiptBlock}: the chain was reset since the receipt was issued (a restarted anvil forgets everything), so the receipt is stale` : ''
  const code = await client.publicClient.getCode({ address: receipt.receipt.registry })
  if (!code || code === '0x') {
    reasons.push(`no InferenceRegistry contract at ${receipt.receipt.registry} on ${where}${reset || ': a wrong registry address or RPC'}`)
    return fail()
  }
  const id = inferenceId(modelCommitment, inputCommitment, output)
  const v = await verifyOnChainAndOffChain({ client, registry: receipt.receipt.registry, id, ...(verificationKey ? { verificationKey } : {}) }).catch((e: unknown) => {
    reasons.push(`the on-chain record cannot be checked: ${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ''}${(e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message}`)
    return null
  })
  if (!v) return fail()
  if (!v.record) {
    const tx = await client.publicClient.getTransactionReceipt({ hash: receipt.receipt.txHash }).catch(() => null)
    reasons.push(`no record of this inference (id ${id}) at the registry ${receipt.receipt.registry} on ${where}${reset || (tx ? '' : `; the receipt's transaction ${receipt.receipt.txHash} is not on this chain either (another deployment, or a reset chain: the receipt is stale)`)}`)
    return fail()
  }
  const recordedByReceiptTx = v.record.transactionHash.toLowerCase() === receipt.receipt.txHash.toLowerCase()
  if (!recordedByReceiptTx) reasons.push(`the record was made by transaction ${v.record.transactionHash}, not the receipt's ${receipt.receipt.txHash}`)
  if (!v.statementMatches) reasons.push('the recording transaction proves another statement than the record names')
  if (!v.onChain) reasons.push(`the on-chain verifier ${v.verifier} rejects the recorded proof`)
  if (!v.offChain) reasons.push('the recorded proof does not verify off-chain')
  const onChain = v.valid
  return { valid: offChain === true && onChain && recordedByReceiptTx, offChain: offChain === true, onChain, recordedByReceiptTx, blockNumber: String(v.record.blockNumber), chainId, reasons }
}
