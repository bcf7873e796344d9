/**
 * @module registry/watch-inferences
 * Follow the registry's records as they are mined (polling `eth_getLogs` over HTTP, a
 * subscription over WebSocket).
 */
import { anObject } from '@krain/core'
import { parseEventLogs, type Address } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { toChainError } from './decode-error.js'
import type { ChainError } from '../errors.js'
import { recordFromLog, type InferenceRecord } from './records.js'
import { anAddress } from './arguments.js'

/** Parameters of {@link watchInferences}. */
export type WatchInferencesParameters = {
  client: ChainClient
  registry: Address
  /** Called once per new record, in chain order. */
  onRecord: (record: InferenceRecord) => void
  /** Called on RPC failures (watching continues). */
  onError?: (error: ChainError) => void
  /** Only records of this model. */
  modelCommitment?: bigint
  /**
   * Deliver records from this block on (including ones mined before the call). Without it,
   * watching starts at the node's current block once the watcher's first poll has run.
   */
  fromBlock?: bigint
}

/**
 * Watch new records.
 *
 * @param parameters - `client`, `registry`, `onRecord`, optional `onError`, `modelCommitment` filter and `fromBlock`
 * @returns a function that stops watching
 * @example
 * ```ts
 * const unwatch = watchInferences({ client, registry, onRecord: (r) => console.log(r.id) })
 * ```
 */
export function watchInferences(parameters: WatchInferencesParameters): () => void {
  anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  if (typeof parameters.onRecord !== 'function') throw new TypeError('"onRecord" expected a function')
  const { onRecord, onError, modelCommitment, fromBlock } = parameters
  if (fromBlock !== undefined && (typeof fromBlock !== 'bigint' || fromBlock < 0n)) throw new TypeError('"fromBlock" expected a bigint ≥ 0')
  return parameters.client.publicClient.watchEvent({
    address: registry,
    ...(fromBlock === undefined ? {} : { fromBlock }),
    onLogs: (logs) => {
      // decoded here (not by the watcher) so that each log's args are narrowed by its event name
      for (const log of parseEventLogs({ abi: inferenceRegistryAbi, logs, strict: true })) {
        const record = recordFromLog(log)
        if (record && (modelCommitment === undefined || record.modelCommitment === modelCommitment)) onRecord(record)
      }
    },
    onError: (e) => onError?.(toChainError(e, 'watchInferences')),
  })
}
