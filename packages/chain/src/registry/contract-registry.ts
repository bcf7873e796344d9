/**
 * @module registry/contract-registry
 * `ContractRegistry`: the on-chain record of a secret contract, its source hash and
 * plan hash, owned by the account that records it. The registry has no constructor arguments and
 * is deployed through the CREATE2 proxy, so it has one address on every chain that has the proxy
 * ({@link contractRegistryAddress}); `KRAIN_CONTRACT_REGISTRY_ADDRESS` names another one.
 * Typed by the generated `as const` ABI; reverts come back as {@link ChainError} codes
 * (`CHAIN_CONTRACT_HASH_OWNED`, `CHAIN_CONTRACT_ZERO_HASH`).
 */
import { anObject } from '@krain/core'
import { isHex, parseEventLogs, zeroAddress, type Address, type Hash, type Hex } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { contractRegistryAbi, contractRegistryBytecode } from '../generated/contracts.js'
import { deployVerifier, verifierAddress } from '../verifier/deploy-verifier.js'
import { toChainError } from './decode-error.js'

/** A recorded contract as the registry holds it. */
export type ContractRegistryRecord = { sourceHash: Hex; owner: Address; planHash: Hex; blockNumber: bigint; uri: string }

/** Outcome of {@link recordContract}. */
export type RecordContractReturnType = { hash: Hash; blockNumber: bigint; gasUsed: bigint; record: ContractRegistryRecord }

/** The CREATE2 address of `ContractRegistry` (the same on every chain with the deterministic-deployment proxy). */
export function contractRegistryAddress(): Address {
  return verifierAddress(contractRegistryBytecode)
}

/**
 * Deploy `ContractRegistry` through the CREATE2 proxy, or find it already deployed.
 * @param parameters - `client` (with a key unless already deployed)
 * @returns its address and the deployment's gas (0 when reused)
 * @throws ChainError `CHAIN_NO_ACCOUNT`, `CHAIN_RPC_ERROR`, `CHAIN_TX_REVERTED`
 * @example
 * ```ts
 * const { address } = await deployContractRegistry({ client })
 * ```
 */
export async function deployContractRegistry(parameters: { client: ChainClient }): Promise<{ address: Address; gasUsed: bigint; reused: boolean }> {
  anObject(parameters, 'parameters')
  const r = await deployVerifier({ client: parameters.client, artifact: { bytecode: contractRegistryBytecode } })
  return { address: r.address, gasUsed: r.gasUsed, reused: r.reused }
}

const bytes32 = (v: unknown, name: string): Hex => {
  if (typeof v !== 'string' || !isHex(v, { strict: true }) || v.length !== 66) throw new TypeError(`"${name}" expected 0x-prefixed 32 bytes of hex`)
  return v
}

/** Parameters of {@link recordContract}. */
export type RecordContractParameters = { client: ChainClient; registry: Address; sourceHash: Hex; planHash: Hex; uri: string }

/**
 * Record a contract's source and plan hashes (simulated first: a revert is a typed error before gas is spent).
 * @returns the mined transaction and the record as the event states it
 * @throws ChainError `CHAIN_CONTRACT_HASH_OWNED` (another account recorded this source hash), `CHAIN_CONTRACT_ZERO_HASH`,
 *   `CHAIN_NOT_A_CONTRACT` (no registry at `registry`), `CHAIN_NO_ACCOUNT`, `CHAIN_RPC_ERROR`, `CHAIN_TX_REVERTED`
 * @throws TypeError for a hash that is not 32 bytes of hex
 * @example
 * ```ts
 * await recordContract({ client, registry, sourceHash: `0x${hash}`, planHash, uri: `krain:contract:${id}` })
 * ```
 */
export async function recordContract(parameters: RecordContractParameters): Promise<RecordContractReturnType> {
  anObject(parameters, 'parameters')
  const { client, registry, uri } = parameters
  const sourceHash = bytes32(parameters.sourceHash, 'sourceHash')
  const planHash = bytes32(parameters.planHash, 'planHash')
  if (typeof uri !== 'string') throw new TypeError('"uri" expected a string')
  const wallet = requireWallet(client)
  await requireCode(client, registry)
  try {
    const { request } = await client.publicClient.simulateContract({ account: wallet.account, address: registry, abi: contractRegistryAbi, functionName: 'record', args: [sourceHash, planHash, uri] })
    const hash = await wallet.writeContract(request)
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `record reverted on chain (tx ${hash})` })
    const [event] = parseEventLogs({ abi: contractRegistryAbi, eventName: 'ContractRecorded', logs: receipt.logs })
    if (!event) throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `record emitted no ContractRecorded event (tx ${hash})` })
    return {
      hash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      record: { sourceHash: event.args.sourceHash, owner: event.args.owner, planHash: event.args.planHash, blockNumber: receipt.blockNumber, uri: event.args.uri },
    }
  } catch (e) {
    throw toChainError(e, 'record')
  }
}

/**
 * Read the record of a source hash.
 * @returns the record, or null when the hash was never recorded
 * @throws ChainError `CHAIN_NOT_A_CONTRACT`, `CHAIN_RPC_ERROR`
 */
export async function getContractRecord(parameters: { client: ChainClient; registry: Address; sourceHash: Hex }): Promise<ContractRegistryRecord | null> {
  anObject(parameters, 'parameters')
  const { client, registry } = parameters
  const sourceHash = bytes32(parameters.sourceHash, 'sourceHash')
  await requireCode(client, registry)
  try {
    const [owner, planHash, blockNumber, uri] = await client.publicClient.readContract({ address: registry, abi: contractRegistryAbi, functionName: 'getRecord', args: [sourceHash] })
    return owner === zeroAddress ? null : { sourceHash, owner, planHash, blockNumber, uri }
  } catch (e) {
    throw toChainError(e, 'getRecord')
  }
}

/**
 * The transaction that recorded `sourceHash` last (from the `ContractRecorded` logs), e.g. to
 * recover a transaction whose response was lost.
 * @returns its hash and block, or null when there is none
 * @throws ChainError `CHAIN_RPC_ERROR`
 */
export async function findContractRecordTransaction(parameters: { client: ChainClient; registry: Address; sourceHash: Hex; fromBlock?: bigint }): Promise<{ hash: Hash; blockNumber: bigint; owner: Address; planHash: Hex } | null> {
  anObject(parameters, 'parameters')
  const { client, registry } = parameters
  const sourceHash = bytes32(parameters.sourceHash, 'sourceHash')
  try {
    const logs = await client.publicClient.getContractEvents({ address: registry, abi: contractRegistryAbi, eventName: 'ContractRecorded', args: { sourceHash }, fromBlock: parameters.fromBlock ?? 0n, toBlock: 'latest' })
    const last = logs.at(-1)
    if (!last || last.transactionHash === null || last.blockNumber === null || last.args.owner === undefined || last.args.planHash === undefined) return null
    return { hash: last.transactionHash, blockNumber: last.blockNumber, owner: last.args.owner, planHash: last.args.planHash }
  } catch (e) {
    throw toChainError(e, 'getContractEvents')
  }
}

async function requireCode(client: ChainClient, registry: Address): Promise<void> {
  let code: Hex | undefined
  try {
    code = await client.publicClient.getCode({ address: registry })
  } catch (e) {
    throw toChainError(e, 'getCode')
  }
  if (!code || code === '0x') throw new ChainError('CHAIN_NOT_A_CONTRACT', { shortMessage: `no ContractRegistry at ${registry}` })
}
