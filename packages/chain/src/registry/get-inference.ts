/**
 * @module registry/get-inference
 * Read a record: its storage slot (submitter, block, size) and, from that block's logs, the
 * statement it records (model, input or batch commitment, outputs).
 */
import { anObject } from '@krain/core'
import { parseEventLogs, type Address, type Hex } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { toChainError } from './decode-error.js'
import { recordFromLog, type InferenceRecord } from './records.js'
import { anAddress, anId } from './arguments.js'

/** Parameters of {@link getInference}. */
export type GetInferenceParameters = { client: ChainClient; registry: Address; id: Hex }

/**
 * Read the record stored under `id`.
 *
 * @param parameters - `client`, `registry`, `id` (from `submitInference` or an event)
 * @returns the record, or `null` when nothing is recorded under `id`
 * @throws ChainError `CHAIN_RPC_ERROR`; `CHAIN_RECORD_NOT_FOUND` if the slot is set but its event is missing (a pruned node)
 * @example
 * ```ts
 * const record = await getInference({ client, registry, id })
 * ```
 */
export async function getInference(parameters: GetInferenceParameters): Promise<InferenceRecord | null> {
  anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  const id = anId(parameters.id, 'id')
  const { publicClient } = parameters.client
  try {
    const [submitter, blockNumber, size] = await publicClient.readContract({ address: registry, abi: inferenceRegistryAbi, functionName: 'getRecord', args: [id] })
    if (/^0x0{40}$/.test(submitter)) return null
    const logs = await publicClient.getLogs({ address: registry, fromBlock: blockNumber, toBlock: blockNumber })
    const decoded = parseEventLogs({ abi: inferenceRegistryAbi, logs, strict: true })
    for (const log of decoded) {
      const record = recordFromLog(log)
      if (record && record.id.toLowerCase() === id) return record
    }
    throw new ChainError('CHAIN_RECORD_NOT_FOUND', { shortMessage: `record ${id} is stored (block ${blockNumber}, size ${size}) but its event was not found`, details: 'the RPC node may have pruned logs' })
  } catch (e) {
    throw toChainError(e, 'getInference')
  }
}
