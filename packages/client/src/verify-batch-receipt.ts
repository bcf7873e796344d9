/**
 * @module client/verify-batch-receipt
 * A verifier's check of a confirmed batch job (`POST /v1/models/:id/prove-batch`), independent of
 * the gateway: the batch proof verifies off-chain against the batch circuit's verification key, its
 * public signals carry the job's per-row outputs (`packedOutputs = Σ output_r · 256^r`), the model
 * and the batch commitment; on-chain the registry holds the record under
 * `batchId(model, batchCommitment, packedOutputs, k)`, made by the job's transaction, with a proof
 * the model's verifier of k-row batches accepts (the registry keeps one per batch size, so a batch
 * stays valid when the model is later proven in batches of another size). Every `valid: false`
 * comes with `reasons`.
 */
import type { Groth16Proof } from '@krain/zk/groth16'
import { batchId, createChainClient, verifyNetwork, verifyOnChainAndOffChain } from '#verify-backend'
import type { JobInfo } from './krain-client.js'

/** Outcome of {@link verifyBatchReceipt}: each check, their conjunction, and why it is not valid (empty when valid). */
export type VerifyBatchReceiptReturnType = { valid: boolean; offChain: boolean; onChain: boolean; recordedByReceiptTx: boolean; recordId: string | null; outputs: number[]; reasons: string[] }

/** Parameters of {@link verifyBatchReceipt}. */
export type VerifyBatchReceiptParameters = {
  /** The confirmed batch job (`KrainClient.job` / `waitForJob`). */
  job: JobInfo
  /** RPC of the chain the batch was recorded on. */
  rpcUrl: string
  /** The batch circuit's verification key (its `verification_key.json`, public). */
  verificationKey: Record<string, unknown>
  /** The model commitment the verifier expects (from the model's registration). */
  expectedModelCommitment?: bigint
}

/**
 * Check a confirmed batch job against the chain and the proof system.
 * @param p - `{ job, rpcUrl, verificationKey, expectedModelCommitment? }`
 * @returns each check, their conjunction, the per-row outputs and the reasons of a `false`
 * @example
 * ```ts
 * const job = await krain.waitForJob((await krain.proveBatch({ modelId, inputs })).id)
 * const { valid, outputs } = await verifyBatchReceipt({ job, rpcUrl, verificationKey })
 * ```
 */
export async function verifyBatchReceipt({ job, rpcUrl, verificationKey, expectedModelCommitment }: VerifyBatchReceiptParameters): Promise<VerifyBatchReceiptReturnType> {
  const reasons: string[] = []
  const b = job.batch
  const outputs = (b?.outputs ?? []).map(Number)
  const fail = (): VerifyBatchReceiptReturnType => ({ valid: false, offChain: false, onChain: false, recordedByReceiptTx: false, recordId: null, outputs, reasons })
  if (!b || !b.proof || !b.publicSignals || !b.outputs || !b.receipt) {
    reasons.push(`job ${job.id} is not a confirmed batch job (state ${job.state})`)
    return fail()
  }
  const [packed, modelCommitment, batchCommitment] = b.publicSignals.map((s) => BigInt(s)) as [bigint, bigint, bigint]
  const offChain = await verifyNetwork({ circuit: { vkey: verificationKey }, proof: b.proof as Groth16Proof, publicSignals: b.publicSignals }).catch((e: unknown) => {
    reasons.push(`the proof cannot be checked off-chain: ${(e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message}`)
    return false
  })
  if (!offChain) reasons.push('the batch proof does not verify off-chain against the given verification key')
  const expectedPacked = b.outputs.reduce((acc, o, r) => acc + (BigInt(o) << BigInt(8 * r)), 0n)
  if (packed !== expectedPacked) reasons.push('the proof\'s packed outputs are not the job\'s per-row outputs')
  if (b.batchCommitment !== undefined && BigInt(b.batchCommitment) !== batchCommitment) reasons.push('the proof\'s batch commitment is not the job\'s')
  if (expectedModelCommitment !== undefined && modelCommitment !== expectedModelCommitment) reasons.push('the proof is of another model than expected')
  const statement = reasons.length === 0

  const client = await createChainClient({ rpcUrl })
  if (client.chain.id !== b.receipt.chainId) {
    reasons.push(`wrong chain: the batch was recorded on chain ${b.receipt.chainId}, ${rpcUrl} is chain ${client.chain.id}`)
    return { ...fail(), offChain }
  }
  const id = batchId(modelCommitment, batchCommitment, packed, b.size)
  const v = await verifyOnChainAndOffChain({ client, registry: b.receipt.registry as `0x${string}`, id, verificationKey }).catch((e: unknown) => {
    reasons.push(`the on-chain record cannot be checked: ${(e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message}`)
    return null
  })
  if (!v?.record) {
    if (v) reasons.push(`no record of this batch (id ${id}) at the registry ${b.receipt.registry}`)
    return { ...fail(), offChain, recordId: id }
  }
  const recordedByReceiptTx = v.record.transactionHash.toLowerCase() === b.receipt.txHash.toLowerCase()
  if (!recordedByReceiptTx) reasons.push(`the record was made by transaction ${v.record.transactionHash}, not the job's ${b.receipt.txHash}`)
  if (!v.statementMatches) reasons.push('the recording transaction proves another statement than the record names')
  if (!v.onChain) reasons.push(`the model's verifier of ${b.size}-row batches ${v.verifier} rejects the recorded proof`)
  return { valid: offChain && statement && v.valid && recordedByReceiptTx, offChain, onChain: v.valid, recordedByReceiptTx, recordId: id, outputs, reasons }
}
