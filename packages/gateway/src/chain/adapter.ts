/**
 * @module chain/adapter
 * What the gateway needs from a chain: submit a proven inference to `InferenceRegistry`, wait
 * for its receipt, read a record back. `@krain/chain` implements it (see `chain/krain-chain.ts`);
 * the interface keeps the job and outbox logic independent of viem details.
 */

import type { InferenceSubmission } from '../store/rows.js'

/** A proven inference ready for the registry (the outbox stores it; its schema is in `store/rows.ts`). */
export type { InferenceSubmission }

/** A confirmed record. */
export type ChainReceipt = { txHash: `0x${string}`; blockNumber: string; chainId: number; registry: `0x${string}`; /** Gas of the transaction, when known (batch submissions). */ gasUsed?: string }

/** The chain operations used by jobs, the outbox and the verifier routes. */
export interface ChainAdapter {
  readonly chainId: number
  readonly registryAddress: `0x${string}`
  /** Send the transaction (registering the model first if needed; a batch (`s.batch`) sets the model's batch verifier first, see `chain/batch-chain.ts`); resolves once it is sent. */
  submit(s: InferenceSubmission): Promise<{ txHash: `0x${string}` }>
  /** Wait for the receipt of a sent transaction; throws if it reverted. */
  confirm(txHash: `0x${string}`): Promise<ChainReceipt>
  /** If this inference is already recorded (e.g. a retry after a lost response), its receipt. */
  findRecorded(s: InferenceSubmission): Promise<ChainReceipt | null>
  /**
   * Deploy (or reuse, by CREATE2) a generated circuit's verifier and register the model with it.
   * Idempotent: an already registered model is not an error.
   */
  registerModelVerifier?(p: { modelCommitment: string; circuit: string; solidity: string }): Promise<{ verifier: `0x${string}`; txHash: `0x${string}` | null }>
  /** Check a receipt on chain: the record exists and matches the public signals (of a batch of `batchSize` rows when given). */
  verifyOnChain(r: { txHash: `0x${string}`; publicSignals: string[]; batchSize?: number; verificationKey?: Record<string, unknown> }): Promise<boolean>
  close(): Promise<void>
}
