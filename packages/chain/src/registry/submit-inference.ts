/**
 * @module registry/submit-inference
 * Submit one inference proof, or one batch proof, to `InferenceRegistry`. The call is simulated
 * first, so a bad proof, a replay or an unregistered model surfaces as a typed `ChainError`
 * before any gas is spent. A snarkjs proof is converted by `@krain/zk/groth16`.
 */
import { anIntInRange, anObject } from '@krain/core'
import { toSolidityCalldata, type Groth16Proof, type SolidityCalldata } from '@krain/zk/groth16'
import { parseEventLogs, type Address, type Hash } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { anAddress } from './arguments.js'
import { toGroth16Calldata } from './calldata.js'
import { recordFromLog, type BatchInferenceRecord, type SingleInferenceRecord } from './records.js'
import { sendRegistryTransaction } from './send-transaction.js'

/** Parameters of {@link submitInference}: the proof as verifier calldata, or as snarkjs output. */
export type SubmitInferenceParameters = {
  client: ChainClient
  registry: Address
  /** Explicit gas limit (default: estimated through the registry, which reverts on a bad proof). */
  gas?: bigint
} & ({ calldata: SolidityCalldata | { a: unknown; b: unknown; c: unknown; input: unknown } } | { proof: Groth16Proof; publicSignals: readonly (string | bigint)[] })

/** Parameters of {@link submitInferenceBatch}: those of {@link submitInference} and the batch's row count. */
export type SubmitInferenceBatchParameters = SubmitInferenceParameters & {
  /** Rows in the batch (1..31): the registry checks the proof with the model's verifier of this size. */
  size: number
}

/** Outcome of {@link submitInference}. */
export type SubmitInferenceReturnType<R extends SingleInferenceRecord | BatchInferenceRecord = SingleInferenceRecord> = {
  id: R['id']
  hash: Hash
  blockNumber: bigint
  gasUsed: bigint
  record: R
}

function calldataOf(parameters: SubmitInferenceParameters): SolidityCalldata {
  if ('calldata' in parameters) return toGroth16Calldata(parameters.calldata)
  if ('proof' in parameters && 'publicSignals' in parameters) return toSolidityCalldata(parameters.proof, parameters.publicSignals)
  throw new TypeError('"parameters" expected { calldata } or { proof, publicSignals }')
}

function checked(parameters: SubmitInferenceParameters): { registry: Address; calldata: SolidityCalldata } {
  anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  if (parameters.gas !== undefined && typeof parameters.gas !== 'bigint') throw new TypeError('"gas" expected a bigint')
  return { registry, calldata: calldataOf(parameters) }
}

const mined = (what: string, hash: Hash): ChainError => new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${what} mined without its event (tx ${hash})` })

/**
 * Verify and record one inference proof (public signals `[output, modelCommitment, inputCommitment]`)
 * with the model's own verifier.
 *
 * @param parameters - `client` (with a key), `registry`, and `calldata` or `{ proof, publicSignals }`
 * @returns the record id, transaction, gas used and the decoded record
 * @throws ChainError `CHAIN_INVALID_PROOF`, `CHAIN_PROOF_ALREADY_USED`, `CHAIN_MODEL_NOT_REGISTERED`, `CHAIN_PUBLIC_INPUT_NOT_IN_FIELD`
 * @throws ZkMalformedProofError for a malformed snarkjs proof; TypeError / RangeError for malformed calldata
 * @example
 * ```ts
 * const { id } = await submitInference({ client, registry, proof, publicSignals })
 * ```
 */
export async function submitInference(parameters: SubmitInferenceParameters): Promise<SubmitInferenceReturnType<SingleInferenceRecord>> {
  const { registry, calldata: cd } = checked(parameters)
  const tx = await sendRegistryTransaction(parameters.client, registry, { abi: inferenceRegistryAbi, functionName: 'submitInference', args: [cd.a, cd.b, cd.c, cd.input] }, parameters.gas)
  for (const log of parseEventLogs({ abi: inferenceRegistryAbi, logs: tx.logs, eventName: 'InferenceRecorded', strict: true })) {
    const record = log.address.toLowerCase() === registry.toLowerCase() ? recordFromLog(log) : null
    if (record?.kind === 'single') return { id: record.id, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed, record }
  }
  throw mined('submitInference', tx.hash)
}

/**
 * Verify and record a batch proof of `size` rows (public signals `[packedOutputs, modelCommitment,
 * batchCommitment]`) with the model's verifier of `size`-row batches.
 *
 * @param parameters - as {@link submitInference}, with a batch proof and its `size`
 * @returns the batch id, transaction, gas used and the decoded record (outputs unpacked)
 * @throws ChainError `CHAIN_BATCH_NOT_SUPPORTED` when the model has no verifier of that batch size, and those of {@link submitInference}
 * @throws RangeError / TypeError when `size` is not an integer in 1..31
 * @example
 * ```ts
 * const { record } = await submitInferenceBatch({ client, registry, proof, publicSignals, size: 16 })
 * console.log(record.outputs)
 * ```
 */
export async function submitInferenceBatch(parameters: SubmitInferenceBatchParameters): Promise<SubmitInferenceReturnType<BatchInferenceRecord>> {
  const { registry, calldata: cd } = checked(parameters)
  const size = anIntInRange(parameters.size, 'size', 1, 31)
  const tx = await sendRegistryTransaction(parameters.client, registry, { abi: inferenceRegistryAbi, functionName: 'submitInferenceBatch', args: [cd.a, cd.b, cd.c, cd.input, size] }, parameters.gas)
  for (const log of parseEventLogs({ abi: inferenceRegistryAbi, logs: tx.logs, eventName: 'InferenceBatchRecorded', strict: true })) {
    const record = log.address.toLowerCase() === registry.toLowerCase() ? recordFromLog(log) : null
    if (record?.kind === 'batch') return { id: record.id, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed, record }
  }
  throw mined('submitInferenceBatch', tx.hash)
}
