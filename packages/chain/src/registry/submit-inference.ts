/**
 * @module registry/submit-inference
 * Submit one inference proof, or one batch proof, to `InferenceRegistry`. The call is simulated
 * first, so a bad proof, a replay or an unregistered model surfaces as a typed `ChainError`
 * before any gas is spent.
 */
import { anObject } from '@krain/core'
import { parseEventLogs, type Address, type Hash } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { calldataFromProof, toGroth16Calldata, type Groth16Calldata, type SnarkjsGroth16Proof } from './calldata.js'
import { recordFromLog, type BatchInferenceRecord, type InferenceRecord, type SingleInferenceRecord } from './records.js'
import { anAddress, sendRegistryTransaction } from './register-model.js'

/** Parameters of {@link submitInference}: the proof as verifier calldata, or as snarkjs output. */
export type SubmitInferenceParameters = {
  client: ChainClient
  registry: Address
  /** Explicit gas limit (default: estimated through the registry, which reverts on a bad proof). */
  gas?: bigint
} & ({ calldata: Groth16Calldata | { a: unknown; b: unknown; c: unknown; input: unknown } } | { proof: SnarkjsGroth16Proof; publicSignals: readonly (string | bigint)[] })

/** Outcome of {@link submitInference}. */
export type SubmitInferenceReturnType<R extends InferenceRecord = SingleInferenceRecord> = {
  id: R['id']
  hash: Hash
  blockNumber: bigint
  gasUsed: bigint
  record: R
}

function calldataOf(p: Record<string, unknown>): Groth16Calldata {
  if ('calldata' in p) return toGroth16Calldata(p.calldata)
  if ('proof' in p && 'publicSignals' in p) return calldataFromProof(p.proof as SnarkjsGroth16Proof, p.publicSignals as (string | bigint)[])
  throw new TypeError('"parameters" expected { calldata } or { proof, publicSignals }')
}

async function submit<R extends InferenceRecord>(parameters: SubmitInferenceParameters, functionName: 'submitInference' | 'submitInferenceBatch'): Promise<SubmitInferenceReturnType<R>> {
  const p = anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  if (parameters.gas !== undefined && typeof parameters.gas !== 'bigint') throw new TypeError('"gas" expected a bigint')
  const { a, b, c, input } = calldataOf(p)
  const tx = await sendRegistryTransaction(parameters.client, registry, functionName, [a, b, c, input], parameters.gas)
  const eventName = functionName === 'submitInference' ? 'InferenceRecorded' : 'InferenceBatchRecorded'
  const logs = parseEventLogs({ abi: inferenceRegistryAbi, logs: tx.logs as never, eventName })
  const log = logs.find((l) => l.address.toLowerCase() === registry.toLowerCase())
  const record = log ? recordFromLog(log as never) : null
  if (!record) throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${functionName} mined without an ${eventName} event (tx ${tx.hash})` })
  return { id: record.id, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed, record: record as R }
}

/**
 * Verify and record one inference proof (public signals `[output, modelCommitment, inputCommitment]`).
 *
 * @param parameters - `client` (with a key), `registry`, and `calldata` or `{ proof, publicSignals }`
 * @returns the record id, transaction, gas used and the decoded record
 * @throws ChainError `CHAIN_INVALID_PROOF`, `CHAIN_PROOF_ALREADY_USED`, `CHAIN_MODEL_NOT_REGISTERED`, `CHAIN_PUBLIC_INPUT_NOT_IN_FIELD`
 * @throws TypeError / RangeError for malformed calldata
 * @example
 * ```ts
 * const { id } = await submitInference({ client, registry, proof, publicSignals })
 * ```
 */
export function submitInference(parameters: SubmitInferenceParameters): Promise<SubmitInferenceReturnType<SingleInferenceRecord>> {
  return submit<SingleInferenceRecord>(parameters, 'submitInference')
}

/**
 * Verify and record a batch proof (public signals `[packedOutputs, modelCommitment, batchCommitment]`).
 *
 * @param parameters - as {@link submitInference}, with a batch proof
 * @returns the batch id, transaction, gas used and the decoded record (outputs unpacked)
 * @throws ChainError `CHAIN_BATCH_NOT_SUPPORTED` when the model has no batch verifier, and those of {@link submitInference}
 * @example
 * ```ts
 * const { record } = await submitInferenceBatch({ client, registry, proof, publicSignals })
 * console.log(record.outputs)
 * ```
 */
export function submitInferenceBatch(parameters: SubmitInferenceParameters): Promise<SubmitInferenceReturnType<BatchInferenceRecord>> {
  return submit<BatchInferenceRecord>(parameters, 'submitInferenceBatch')
}
