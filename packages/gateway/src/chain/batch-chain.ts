/**
 * @module chain/batch-chain
 * Batch submissions of the {@link ChainAdapter} on `@krain/chain`: before a batch proof of k rows
 * goes to `InferenceRegistry.submitInferenceBatch`, the model's verifier of k-row batches must be
 * the batch circuit's verifier. The registry holds one batch verifier per (model, k), so batches of
 * 16 rows and a remainder of 5 each have their own and never switch one another's: the verifier of
 * k is set (deployed by CREATE2, or reused when identical code is already there) only when that
 * size has none or a different one, and the read-set-submit sequence of one model runs one at a
 * time in this process. A proof rejected because another process replaced the verifier of the same
 * k meanwhile is a retryable `CHAIN_BATCH_VERIFIER_CHANGED`, not a failed job. A model not yet
 * registered is registered here with its single verifier and the verifier of k.
 */
import { batchId, deployVerifier, getBatchVerifier, getInference, inferenceRegistryAbi, registerModel, setBatchVerifier, submitInferenceBatch, type ChainClient, type SnarkjsGroth16Proof } from '@krain/chain'
import { zeroAddress, type Address } from 'viem'
import { GatewayError } from '../errors.js'
import { batchVerifierSolidity } from '../zk/batch-circuits.js'
import { verifierSolidityOf } from '../zk/generated-circuits.js'
import type { ChainReceipt, InferenceSubmission } from './adapter.js'
import { KeyedLock } from '../keyed-lock.js'

/** Batch submission on a connected client. */
export type BatchChain = {
  /** Set the model's verifier of k-row batches when needed, submit, and return the receipt (with the gas used). */
  submit(s: InferenceSubmission & { batch: { size: number; singleCircuit?: string } }): Promise<ChainReceipt>
  /** The receipt of this batch if it is already recorded. */
  findRecorded(s: InferenceSubmission & { batch: { size: number } }): Promise<ChainReceipt | null>
}

/** The registry's id of a batch submission: `batchId(model, batchCommitment, packedOutputs, k)`. */
export const batchIdOf = (s: { publicSignals: string[]; batch: { size: number } }): `0x${string}` => batchId(BigInt(s.publicSignals[1]!), BigInt(s.publicSignals[2]!), BigInt(s.publicSignals[0]!), s.batch.size)

/**
 * Batch submissions on `client` to the registry at `registry`.
 * @returns {@link BatchChain}
 */
export function createBatchChain({ client, registry }: { client: ChainClient; registry: Address }): BatchChain {
  const deployed = new Map<string, Address>()
  const locks = new KeyedLock()
  const serial = <T>(key: string, f: () => Promise<T>): Promise<T> => locks.run(key, f)
  const receiptOf = (txHash: `0x${string}`, blockNumber: bigint, gasUsed?: bigint): ChainReceipt => ({ txHash, blockNumber: String(blockNumber), chainId: client.chain.id, registry, ...(gasUsed !== undefined ? { gasUsed: String(gasUsed) } : {}) })
  const verifierOf = async (circuit: string): Promise<Address> => {
    const known = deployed.get(circuit)
    if (known) return known
    const solidity = batchVerifierSolidity(circuit)
    if (!solidity) throw new GatewayError('CHAIN_VERIFIER_UNKNOWN', { shortMessage: `the verifier of batch circuit ${circuit} is not in the circuit cache here`, details: 'workers submitting batches need the circuit cache the prover built into (KRAIN_CIRCUIT_CACHE)' })
    const { address } = await deployVerifier({ client, solidity })
    deployed.set(circuit, address)
    return address
  }
  const verifierOfSize = async (modelCommitment: bigint, k: number): Promise<string | null> => (await getBatchVerifier({ client, registry, modelCommitment, batchSize: k }))?.toLowerCase() ?? null
  const modelOf = (modelCommitment: bigint) => client.publicClient.readContract({ address: registry, abi: inferenceRegistryAbi, functionName: 'getModel', args: [modelCommitment] })

  return {
    submit: (s) =>
      serial(s.modelCommitment, async () => {
        const k = s.batch.size
        const modelCommitment = BigInt(s.modelCommitment)
        const batchVerifier = await verifierOf(s.circuit)
        const m = await modelOf(modelCommitment)
        if (m.verifier === zeroAddress) {
          const single = s.batch.singleCircuit ? (verifierSolidityOf(s.batch.singleCircuit) ?? batchVerifierSolidity(s.batch.singleCircuit)) : undefined
          if (!single) throw new GatewayError('CHAIN_MODEL_NOT_REGISTERED', { shortMessage: `model ${s.modelCommitment} is not registered on the chain yet`, details: 'its circuit build registers it; retrying' })
          await registerModel({ client, registry, modelCommitment, verifier: { solidity: single }, batchVerifier, batchSize: k, metadataURI: `krain:model:${s.modelCommitment}` })
        } else if ((await verifierOfSize(modelCommitment, k)) !== batchVerifier.toLowerCase()) {
          await setBatchVerifier({ client, registry, modelCommitment, batchVerifier, batchSize: k })
        }
        try {
          const r = await submitInferenceBatch({ client, registry, proof: s.proof as SnarkjsGroth16Proof, publicSignals: s.publicSignals, size: k })
          return receiptOf(r.hash, r.blockNumber, r.gasUsed)
        } catch (e) {
          if ((e as { code?: string }).code !== 'CHAIN_INVALID_PROOF') throw e
          if ((await verifierOfSize(modelCommitment, k)) === batchVerifier.toLowerCase()) throw e
          throw new GatewayError('CHAIN_BATCH_VERIFIER_CHANGED', { shortMessage: `the verifier of ${k}-row batches of model ${s.modelCommitment} was replaced while submitting; retrying`, cause: e })
        }
      }),
    async findRecorded(s) {
      const rec = await getInference({ client, registry, id: batchIdOf(s) })
      if (!rec) return null
      const tx = await client.publicClient.getTransactionReceipt({ hash: rec.transactionHash }).catch(() => null)
      return receiptOf(rec.transactionHash, rec.blockNumber, tx?.gasUsed)
    },
  }
}
