/**
 * @module registry/records
 * The shape of an on-chain record, its id (computed exactly as the contract does) and the
 * decoding of the registry's events into records.
 */
import { encodeAbiParameters, keccak256, type Address, type Hash, type Hex } from 'viem'

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

type Decoded = { eventName: string; args: Record<string, unknown>; blockNumber: bigint | null; transactionHash: Hash | null }

/** A record from a decoded `InferenceRecorded` / `InferenceBatchRecorded` log, or null for other events. */
export function recordFromLog(log: Decoded): InferenceRecord | null {
  const a = log.args
  if (log.blockNumber === null || log.transactionHash === null) return null
  if (log.eventName === 'InferenceRecorded') {
    return {
      kind: 'single',
      id: a.id as Hex,
      modelCommitment: a.modelCommitment as bigint,
      inputCommitment: a.inputCommitment as bigint,
      output: a.output as bigint,
      submitter: a.submitter as Address,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    }
  }
  if (log.eventName === 'InferenceBatchRecorded') {
    const size = Number(a.size)
    return {
      kind: 'batch',
      id: a.id as Hex,
      modelCommitment: a.modelCommitment as bigint,
      batchCommitment: a.batchCommitment as bigint,
      packedOutputs: a.packedOutputs as bigint,
      outputs: unpackOutputs(a.packedOutputs as bigint, size),
      size,
      submitter: a.submitter as Address,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    }
  }
  return null
}
