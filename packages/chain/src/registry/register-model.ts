/**
 * @module registry/register-model
 * Register a model commitment with its own verifier (and optional batch verifier), deploying the
 * verifier first when given as source or bytecode (an identical verifier already on the chain is
 * reused); set or read a model's batch verifiers (one per batch size); manage the REGISTRAR role.
 */
import { aString, anIntInRange, anObject } from '@krain/core'
import { zeroAddress, type Address } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { deployVerifier, type VerifierSource } from '../verifier/deploy-verifier.js'
import { anAddress } from './arguments.js'
import { toChainError } from './decode-error.js'
import { sendRegistryTransaction, type TransactionResult } from './send-transaction.js'

/** Parameters of {@link registerModel}. */
export type RegisterModelParameters = {
  client: ChainClient
  registry: Address
  /** The model's public signal: its Poseidon commitment (committed weights) or the id its circuit exposes. A field element, not 0. */
  modelCommitment: bigint
  /** Verifier of single-inference proofs: an address, or a source to deploy (or reuse) it from. */
  verifier: Address | VerifierSource
  /** Verifier of batch proofs (optional): an address or a source. */
  batchVerifier?: Address | VerifierSource
  /** Inferences per batch proof (required with `batchVerifier`, 1..31). */
  batchSize?: number
  /** Where the model is described (and its verification keys published). */
  metadataURI: string
}

/** Outcome of {@link registerModel}: the transaction and the verifiers it recorded. */
export type RegisterModelReturnType = TransactionResult & { verifier: Address; batchVerifier: Address | null }

async function verifierOf(client: ChainClient, v: unknown, name: string): Promise<Address> {
  if (typeof v === 'string') return anAddress(v, name)
  const source = anObject(v, name)
  if ('solidity' in source || 'artifact' in source || 'circuit' in source) return (await deployVerifier({ client, ...(source as VerifierSource) })).address
  throw new TypeError(`"${name}" expected an address, { solidity }, { artifact: { bytecode } } or { circuit }`)
}

/**
 * Register a model (owner or REGISTRAR only). Its proofs are then checked by its own verifier.
 *
 * @param parameters - registry, commitment, verifier(s) as addresses or sources, batch size, metadata URI
 * @returns the mined transaction and the verifier addresses
 * @throws ChainError `CHAIN_NOT_AUTHORIZED`, `CHAIN_MODEL_ALREADY_REGISTERED`, `CHAIN_NOT_A_CONTRACT`,
 *   `CHAIN_INVALID_BATCH_SIZE`; `CHAIN_COMPILE_FAILED` / `CHAIN_VERIFIER_INVALID` for a bad verifier source
 * @example
 * ```ts
 * await registerModel({ client, registry, modelCommitment, verifier: { solidity }, metadataURI: 'ipfs://…' })
 * ```
 */
export async function registerModel(parameters: RegisterModelParameters): Promise<RegisterModelReturnType> {
  anObject(parameters, 'parameters')
  const { client } = parameters
  const registry = anAddress(parameters.registry, 'registry')
  const batchSize = parameters.batchSize === undefined ? 0 : anIntInRange(parameters.batchSize, 'batchSize', 0, 2 ** 32 - 1)
  if (typeof parameters.modelCommitment !== 'bigint') throw new TypeError('"modelCommitment" expected a bigint')
  if (parameters.modelCommitment < 0n || parameters.modelCommitment >= 1n << 256n) throw new RangeError('"modelCommitment" expected a uint256')
  const metadataURI = typeof parameters.metadataURI === 'string' && parameters.metadataURI.length === 0 ? '' : aString(parameters.metadataURI, 'metadataURI', 2048)
  const verifier = await verifierOf(client, parameters.verifier, 'verifier')
  const batchVerifier = parameters.batchVerifier === undefined ? null : await verifierOf(client, parameters.batchVerifier, 'batchVerifier')
  const { hash, blockNumber, gasUsed } = await sendRegistryTransaction(client, registry, {
    abi: inferenceRegistryAbi,
    functionName: 'registerModel',
    args: [parameters.modelCommitment, verifier, batchVerifier ?? zeroAddress, batchSize, metadataURI],
  })
  return { hash, blockNumber, gasUsed, verifier, batchVerifier }
}

/**
 * Set, replace or remove (null) a registered model's verifier of `batchSize`-row batches (the
 * model's registrant only). A model holds one batch verifier per size (1..31); the others stay.
 * @param parameters - `client`, `registry`, `modelCommitment`, `batchVerifier` (address, source, or null to remove), `batchSize`
 * @returns the mined transaction
 * @throws ChainError `CHAIN_MODEL_NOT_REGISTERED`, `CHAIN_NOT_AUTHORIZED`, `CHAIN_INVALID_BATCH_SIZE`
 */
export async function setBatchVerifier(parameters: { client: ChainClient; registry: Address; modelCommitment: bigint; batchVerifier: Address | VerifierSource | null; batchSize: number }): Promise<TransactionResult> {
  anObject(parameters, 'parameters')
  if (typeof parameters.modelCommitment !== 'bigint') throw new TypeError('"modelCommitment" expected a bigint')
  const batchSize = anIntInRange(parameters.batchSize, 'batchSize', 0, 2 ** 32 - 1)
  const batchVerifier = parameters.batchVerifier === null ? zeroAddress : await verifierOf(parameters.client, parameters.batchVerifier, 'batchVerifier')
  const { hash, blockNumber, gasUsed } = await sendRegistryTransaction(parameters.client, anAddress(parameters.registry, 'registry'), {
    abi: inferenceRegistryAbi,
    functionName: 'setBatchVerifier',
    args: [parameters.modelCommitment, batchVerifier, batchSize],
  })
  return { hash, blockNumber, gasUsed }
}

/**
 * The verifier of `batchSize`-row batches of a model (`InferenceRegistry.batchVerifierOf`), or null
 * when it has none (or is not registered).
 * @param parameters - `client`, `registry`, `modelCommitment`, `batchSize` (1..31), optional `blockNumber` to read at
 * @returns the verifier's address, or null
 * @throws ChainError `CHAIN_RPC_ERROR`
 */
export async function getBatchVerifier(parameters: { client: ChainClient; registry: Address; modelCommitment: bigint; batchSize: number; blockNumber?: bigint }): Promise<Address | null> {
  anObject(parameters, 'parameters')
  if (typeof parameters.modelCommitment !== 'bigint') throw new TypeError('"modelCommitment" expected a bigint')
  const batchSize = anIntInRange(parameters.batchSize, 'batchSize', 1, 31)
  const address = await parameters.client.publicClient
    .readContract({ address: anAddress(parameters.registry, 'registry'), abi: inferenceRegistryAbi, functionName: 'batchVerifierOf', args: [parameters.modelCommitment, batchSize], ...(parameters.blockNumber !== undefined ? { blockNumber: parameters.blockNumber } : {}) })
    .catch((e: unknown) => {
      throw toChainError(e, 'batchVerifierOf')
    })
  return address === zeroAddress ? null : address
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
  const { hash, blockNumber, gasUsed } = await sendRegistryTransaction(parameters.client, anAddress(parameters.registry, 'registry'), {
    abi: inferenceRegistryAbi,
    functionName: 'setRegistrar',
    args: [anAddress(parameters.account, 'account'), parameters.allowed],
  })
  return { hash, blockNumber, gasUsed }
}
