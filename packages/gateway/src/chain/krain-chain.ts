/**
 * @module chain/krain-chain
 * {@link ChainAdapter} on `@krain/chain` (viem): registers a model's commitment with the verifier
 * of its circuit on first use, submits proofs to `InferenceRegistry` (simulated first, so a bad
 * proof or a replay is a typed error before gas is spent), and reads records back. The connection
 * itself is `@krain/chain`'s ({@link connectChain}, or a {@link ChainClient} made elsewhere).
 */
import { ChainError, connectChain, getInference, inferenceId, registerModel, submitInference, verifyOnChainAndOffChain, type ChainClient, type ChainConfig, type SnarkjsGroth16Proof } from '@krain/chain'
import type { Address } from 'viem'
import { verificationKeyOf, verifierSolidityOf } from '../zk/generated-circuits.js'
import { batchIdOf, createBatchChain } from './batch-chain.js'
import type { ChainAdapter, ChainReceipt, InferenceSubmission } from './adapter.js'

/** Parameters of {@link createChainAdapter}. */
export type CreateChainAdapterParameters = {
  /** A client with a signing account. */
  client: ChainClient
  registryAddress: Address
  /** Verifier address per circuit, used to register new models (from `deployContracts`, or `KRAIN_VERIFIERS`). */
  verifiers?: Record<string, Address>
}

/**
 * Connect to a configured chain (an RPC URL, a signing key, a deployed registry) through
 * `@krain/chain`'s {@link connectChain} and wrap it in an adapter. Never starts anvil: the embedded
 * chain is the server's choice (see `chain/embedded.ts`).
 * @param config - the chain configuration (`rpcUrl`, `privateKey` and `registryAddress` required)
 * @returns the adapter
 * @throws ChainError CHAIN_CONFIG_INVALID when a part is missing; CHAIN_RPC_ERROR when the node does not answer
 * @example
 * ```ts
 * const chain = await connectChainAdapter({ rpcUrl, privateKey, registryAddress, verifiers })
 * ```
 */
export async function connectChainAdapter(config: ChainConfig): Promise<ChainAdapter> {
  const { client, registry, verifiers } = await connectChain({ config, embedded: false })
  if (!registry) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'the gateway needs a deployed registry (KRAIN_REGISTRY_ADDRESS)' })
  if (!client.walletClient) throw new ChainError('CHAIN_NO_ACCOUNT', { shortMessage: 'the gateway signs its submissions: set KRAIN_PRIVATE_KEY' })
  return createChainAdapter({ client, registryAddress: registry, verifiers })
}

/**
 * The chain operations the gateway needs, on a connected client.
 * @returns the adapter
 */
export function createChainAdapter({ client, registryAddress, verifiers = {} }: CreateChainAdapterParameters): ChainAdapter {
  const registered = new Set<string>()
  const idOf = (s: { publicSignals: string[] }): `0x${string}` => inferenceId(BigInt(s.publicSignals[1]!), BigInt(s.publicSignals[2]!), BigInt(s.publicSignals[0]!))
  const receiptOf = (r: { transactionHash: `0x${string}`; blockNumber: bigint }): ChainReceipt => ({ txHash: r.transactionHash, blockNumber: String(r.blockNumber), chainId: client.chain.id, registry: registryAddress })

  // A model is registered with its shipped circuit's verifier, or with the verifier generated for
  // its own circuit (deployed by CREATE2 from the build's Solidity, reused when already there).
  const register = async (modelCommitment: string, verifier: Address | { solidity: string }): Promise<{ verifier: Address; txHash: `0x${string}` | null }> => {
    try {
      const r = await registerModel({ client, registry: registryAddress, modelCommitment: BigInt(modelCommitment), verifier, metadataURI: `krain:model:${modelCommitment}` })
      return { verifier: r.verifier, txHash: r.hash }
    } catch (e) {
      if ((e as { code?: string }).code !== 'CHAIN_MODEL_ALREADY_REGISTERED') throw e
      return { verifier: typeof verifier === 'string' ? verifier : '0x0000000000000000000000000000000000000000', txHash: null }
    }
  }
  const ensureModel = async (s: InferenceSubmission): Promise<void> => {
    if (registered.has(s.modelCommitment)) return
    const verifier = verifiers[s.circuit]
    const solidity = verifier ? undefined : verifierSolidityOf(s.circuit)
    if (verifier) await register(s.modelCommitment, verifier)
    else if (solidity) await register(s.modelCommitment, { solidity })
    registered.add(s.modelCommitment)
  }

  let pending: { txHash: `0x${string}`; receipt: ChainReceipt } | undefined
  const batches = createBatchChain({ client, registry: registryAddress })
  return {
    chainId: client.chain.id,
    registryAddress,
    async submit(s) {
      if (s.batch) {
        const receipt = await batches.submit({ ...s, batch: s.batch })
        pending = { txHash: receipt.txHash, receipt }
        return { txHash: receipt.txHash }
      }
      await ensureModel(s)
      const r = await submitInference({ client, registry: registryAddress, proof: s.proof as SnarkjsGroth16Proof, publicSignals: s.publicSignals })
      pending = { txHash: r.hash, receipt: { txHash: r.hash, blockNumber: String(r.blockNumber), chainId: client.chain.id, registry: registryAddress } }
      return { txHash: r.hash }
    },
    async confirm(txHash) {
      if (pending?.txHash === txHash) return pending.receipt
      const r = await client.publicClient.waitForTransactionReceipt({ hash: txHash, timeout: 60_000 })
      if (r.status !== 'success') throw Object.assign(new Error(`transaction ${txHash} reverted`), { code: 'CHAIN_TX_REVERTED', shortMessage: `transaction ${txHash} reverted` })
      return { txHash, blockNumber: String(r.blockNumber), chainId: client.chain.id, registry: registryAddress }
    },
    async findRecorded(s) {
      if (s.batch) return batches.findRecorded({ ...s, batch: s.batch })
      const rec = await getInference({ client, registry: registryAddress, id: idOf(s) })
      return rec ? receiptOf(rec) : null
    },
    async registerModelVerifier({ modelCommitment, solidity }) {
      const r = await register(modelCommitment, { solidity })
      registered.add(modelCommitment)
      return r
    },
    async verifyOnChain({ txHash, publicSignals, batchSize, verificationKey }) {
      // a batch's circuit (and key) is per batch size, not the model's: the caller passes it
      const vkey = verificationKey ?? (batchSize === undefined ? verificationKeyOf(String(publicSignals[1])) : undefined)
      const id = batchSize === undefined ? idOf({ publicSignals }) : batchIdOf({ publicSignals, batch: { size: batchSize } })
      const v = await verifyOnChainAndOffChain({ client, registry: registryAddress, id, ...(vkey ? { verificationKey: vkey } : {}) })
      return v.valid && v.record?.transactionHash.toLowerCase() === txHash.toLowerCase()
    },
    async close() {},
  }
}
