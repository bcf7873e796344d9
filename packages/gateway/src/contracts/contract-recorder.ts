/**
 * @module contracts/contract-recorder
 * The on-chain record of a deployed secret contract: its source hash and plan hash in
 * `ContractRegistry`, sent by the gateway's signing account. The registry is at its CREATE2 address
 * (deployed with the embedded chain's contracts, or on first use) unless
 * `KRAIN_CONTRACT_REGISTRY_ADDRESS` names one. Recording is idempotent: a transaction already mined
 * for the same hash and plan by this account (a retry after a lost response) is found in the
 * registry's logs instead of being sent again.
 */
import { createHash } from 'node:crypto'
import { CREATE2_DEPLOYER, ChainError, chainConfigFromEnv, contractRegistryAddress, createChainClient, deployContractRegistry, findContractRecordTransaction, getContractRecord, recordContract, type ChainClient, type ContractRegistryRecord } from '@krain/chain'
import type { Address, Hex } from 'viem'
import { chainConfigOf, type Config } from '../config.js'

/** Where a contract's hash is recorded. */
export type ContractChainRecord = { txHash: string; chainId: number; registry: string; block: string }

/** Records contracts' hashes in `ContractRegistry` through one signing client. */
export type ContractRecorder = {
  readonly chainId: number
  readonly registry: Address
  readonly client: ChainClient
  /** Record (or find the already mined record of) a source hash with its plan hash. */
  record(p: { sourceHash: string; plan: string; uri: string }): Promise<ContractChainRecord>
  /** The chain record of a mined transaction. */
  describe(txHash: string): Promise<ContractChainRecord>
  /** The registry's record of a source hash (null: never recorded). */
  read(sourceHash: string): Promise<ContractRegistryRecord | null>
}

/** A stored contract hash (hex, no prefix) as `bytes32`. */
export const bytes32Of = (hex: string): Hex => `0x${hex.replace(/^0x/, '')}`

/** The plan hash recorded with a contract: sha256 of its stored plan JSON. */
export const planHashOf = (plan: string): Hex => `0x${createHash('sha256').update(plan).digest('hex')}`

const recorders = new WeakMap<Config, Promise<ContractRecorder | null>>()

/**
 * The recorder of a gateway configuration (one per configuration; null without a chain).
 * @param config - the gateway's configuration (its chain part: RPC URL, signing key)
 * @param env - where `KRAIN_CONTRACT_REGISTRY_ADDRESS` is read (default `process.env`)
 */
export function contractRecorderOf(config: Config, env: Record<string, string | undefined> = process.env): Promise<ContractRecorder | null> {
  let r = recorders.get(config)
  if (!r) {
    r = createContractRecorder(config, env)
    recorders.set(config, r)
    // a failed connection is retried on the next use
    r.catch(() => recorders.delete(config))
  }
  return r
}

async function createContractRecorder(config: Config, env: Record<string, string | undefined>): Promise<ContractRecorder | null> {
  const chain = chainConfigOf(config)
  if (!chain) return null
  const configured = chainConfigFromEnv(env).contractRegistryAddress
  const client = await createChainClient({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey })
  // the CREATE2 registry is deployed when missing (a no-op when deployContracts already did it);
  // without the CREATE2 proxy its address would change at every start: then it must be configured
  if (!configured) {
    const proxy = await client.publicClient.getCode({ address: CREATE2_DEPLOYER }).catch((cause: unknown) => {
      throw new ChainError('CHAIN_RPC_ERROR', { shortMessage: 'reading the CREATE2 proxy failed', cause })
    })
    if (!proxy || proxy === '0x') throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'this chain has no CREATE2 deployment proxy: set KRAIN_CONTRACT_REGISTRY_ADDRESS to a deployed ContractRegistry' })
  }
  const registry = configured ?? (await deployContractRegistry({ client })).address
  const describe = async (txHash: string): Promise<ContractChainRecord> => {
    const receipt = await client.publicClient.getTransactionReceipt({ hash: bytes32Of(txHash) })
    return { txHash: receipt.transactionHash, chainId: client.chain.id, registry, block: String(receipt.blockNumber) }
  }
  return {
    chainId: client.chain.id,
    registry,
    client,
    async record({ sourceHash, plan, uri }) {
      const planHash = planHashOf(plan)
      const mined = await findContractRecordTransaction({ client, registry, sourceHash: bytes32Of(sourceHash) })
      if (mined && mined.owner === client.account?.address && mined.planHash === planHash) return { txHash: mined.hash, chainId: client.chain.id, registry, block: String(mined.blockNumber) }
      const r = await recordContract({ client, registry, sourceHash: bytes32Of(sourceHash), planHash, uri })
      return { txHash: r.hash, chainId: client.chain.id, registry, block: String(r.blockNumber) }
    },
    describe,
    read: (sourceHash) => getContractRecord({ client, registry, sourceHash: bytes32Of(sourceHash) }),
  }
}

/** The CREATE2 address the recorder uses unless `KRAIN_CONTRACT_REGISTRY_ADDRESS` is set. */
export const defaultContractRegistryAddress = (): Address => contractRegistryAddress()
