/**
 * @module registry/register-model
 * Register a model commitment with its verifier(s), and manage the REGISTRAR role.
 */
import { aString, anIntInRange, anObject } from '@krain/core'
import { getAddress, isAddress, zeroAddress, type Address, type Hash } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { toChainError } from './decode-error.js'

/** Outcome of a mined registry transaction. */
export type TransactionResult = { hash: Hash; blockNumber: bigint; gasUsed: bigint }

/** Parameters of {@link registerModel}. */
export type RegisterModelParameters = {
  client: ChainClient
  registry: Address
  /** Poseidon commitment to the quantised model (a field element, not 0). */
  modelCommitment: bigint
  /** Verifier of single-inference proofs. */
  verifier: Address
  /** Verifier of batch proofs (optional). */
  batchVerifier?: Address
  /** Inferences per batch proof (required with `batchVerifier`, 1..31). */
  batchSize?: number
  /** Where the model is described (and its verification keys published). */
  metadataURI: string
}

/** An address argument, checksummed. */
export function anAddress(v: unknown, name: string): Address {
  if (typeof v !== 'string' || !isAddress(v, { strict: false })) throw new TypeError(`"${name}" expected a 20-byte 0x address, got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 44)) : typeof v}`)
  return getAddress(v)
}

/** Simulate (to get a decoded revert), send, and wait for the receipt of a registry call. */
export async function sendRegistryTransaction(client: ChainClient, registry: Address, functionName: string, args: readonly unknown[], gas?: bigint): Promise<TransactionResult & { result: unknown; logs: readonly { address: Address; data: `0x${string}`; topics: readonly `0x${string}`[] }[] }> {
  const wallet = requireWallet(client)
  try {
    const { request, result } = await client.publicClient.simulateContract({
      account: wallet.account,
      address: registry,
      abi: inferenceRegistryAbi,
      functionName: functionName as 'registerModel',
      args: args as never,
      ...(gas === undefined ? {} : { gas }),
    })
    const hash = await wallet.writeContract(request)
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${functionName} reverted on chain (tx ${hash})` })
    return { hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, result, logs: receipt.logs as never }
  } catch (e) {
    throw toChainError(e, functionName)
  }
}

/**
 * Register a model commitment (owner or REGISTRAR only).
 *
 * @param parameters - registry, commitment, verifier(s), batch size, metadata URI
 * @returns the mined transaction
 * @throws ChainError `CHAIN_NOT_AUTHORIZED`, `CHAIN_MODEL_ALREADY_REGISTERED`, `CHAIN_NOT_A_CONTRACT`, `CHAIN_INVALID_BATCH_SIZE`
 * @example
 * ```ts
 * await registerModel({ client, registry, modelCommitment, verifier: verifiers.inference_logistic, metadataURI: 'ipfs://…' })
 * ```
 */
export async function registerModel(parameters: RegisterModelParameters): Promise<TransactionResult> {
  anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  const verifier = anAddress(parameters.verifier, 'verifier')
  const batchVerifier = parameters.batchVerifier === undefined ? zeroAddress : anAddress(parameters.batchVerifier, 'batchVerifier')
  const batchSize = parameters.batchSize === undefined ? 0 : anIntInRange(parameters.batchSize, 'batchSize', 0, 2 ** 32 - 1)
  if (typeof parameters.modelCommitment !== 'bigint') throw new TypeError('"modelCommitment" expected a bigint')
  if (parameters.modelCommitment < 0n || parameters.modelCommitment >= 1n << 256n) throw new RangeError('"modelCommitment" expected a uint256')
  const metadataURI = typeof parameters.metadataURI === 'string' && parameters.metadataURI.length === 0 ? '' : aString(parameters.metadataURI, 'metadataURI', 2048)
  const { hash, blockNumber, gasUsed } = await sendRegistryTransaction(parameters.client, registry, 'registerModel', [parameters.modelCommitment, verifier, batchVerifier, batchSize, metadataURI])
  return { hash, blockNumber, gasUsed }
}

/**
 * Grant or revoke the REGISTRAR role (registry owner only).
 * @param parameters - `client`, `registry`, `account`, `allowed`
 * @returns the mined transaction
 * @throws ChainError `CHAIN_NOT_OWNER`
 */
export async function setRegistrar(parameters: { client: ChainClient; registry: Address; account: Address; allowed: boolean }): Promise<TransactionResult> {
  anObject(parameters, 'parameters')
  if (typeof parameters.allowed !== 'boolean') throw new TypeError('"allowed" expected a boolean')
  const { hash, blockNumber, gasUsed } = await sendRegistryTransaction(parameters.client, anAddress(parameters.registry, 'registry'), 'setRegistrar', [anAddress(parameters.account, 'account'), parameters.allowed])
  return { hash, blockNumber, gasUsed }
}
