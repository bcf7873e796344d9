/**
 * @module registry/records
 * The shape of an on-chain record, its id (computed exactly as the contract does) and the
 * decoding of the registry's events into records.
 */
import { encodeAbiParameters, keccak256, type Address, type Hash, type Hex, type Log } from 'viem'
import { inferenceRegistryAbi } from '../generated/contracts.js'

/** One proven inference. */
export type SingleInferenceRecord = {
  kind: 'single'
  id: Hex
  modelCommitment: bigint
  inputCommitment: bigint
  output: bigint
  submitter: Address
  blockNumber: bigint
  transactionHash: Hash
}

/** A batch of `size` proven inferences of one model. */
export type BatchInferenceRecord = {
  kind: 'batch'
  id: Hex
  modelCommitment: bigint
  /** Poseidon chain of the inputs' commitments (`commitBatch` in `@krain/zk`). */
  batchCommitment: bigint
  packedOutputs: bigint
  /** `outputs[i]` is byte i of `packedOutputs` (`packedOutputs = Σ outputs[i] · 256^i`). */
  outputs: bigint[]
  size: number
  submitter: Address
  blockNumber: bigint
  transactionHash: Hash
}

/** A record of the registry. */
export type InferenceRecord = SingleInferenceRecord | BatchInferenceRecord

/** `keccak256(abi.encode(model, input, output))`, the contract's `inferenceId`. */
export function inferenceId(modelCommitment: bigint, inputCommitment: bigint, output: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }], [modelCommitment, inputCommitment, output]))
}

/** `keccak256(abi.encode(model, batchCommitment, packedOutputs, uint32 size))`, the contract's `batchId`. */
export function batchId(modelCommitment: bigint, batchCommitment: bigint, packedOutputs: bigint, size: number): Hex {
  return keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'uint32' }], [modelCommitment, batchCommitment, packedOutputs, size]))
}

/** Split `packedOutputs = Σ output_i · 256^i` into `size` outputs. */
export function unpackOutputs(packedOutputs: bigint, size: number): bigint[] {
  return Array.from({ length: size }, (_, i) => (packedOutputs >> BigInt(8 * i)) & 0xffn)
}

/** A decoded log of the registry (from `parseEventLogs` or `watchContractEvent` with its ABI, strict). */
export type RegistryLog = Log<bigint, number, boolean, undefined, true, typeof inferenceRegistryAbi>

/** A record from a decoded `InferenceRecorded` / `InferenceBatchRecorded` log, or null for other events (or a pending log). */
export function recordFromLog(log: RegistryLog): InferenceRecord | null {
  if (log.blockNumber === null || log.transactionHash === null) return null
  if (log.eventName === 'InferenceRecorded') {
    const { id, modelCommitment, inputCommitment, output, submitter } = log.args
    return { kind: 'single', id, modelCommitment, inputCommitment, output, submitter, blockNumber: log.blockNumber, transactionHash: log.transactionHash }
  }
  if (log.eventName === 'InferenceBatchRecorded') {
    const { id, modelCommitment, batchCommitment, packedOutputs, size, submitter } = log.args
    return {
      kind: 'batch',
      id,
      modelCommitment,
      batchCommitment,
      packedOutputs,
      outputs: unpackOutputs(packedOutputs, size),
      size,
      submitter,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    }
  }
  return null
}
