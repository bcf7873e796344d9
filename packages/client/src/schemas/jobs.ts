/**
 * @module schemas/jobs
 * Proven-inference jobs and their receipts.
 */
import { Type, type Static } from 'typebox'
import { BatchJobResult } from './models.js'

/** Where a proof was recorded: the chain (`chainId`), the registry, the transaction; `rpcUrl` is a hint of where to read that chain (the gateway's public RPC). */
export const Receipt = Type.Object({ txHash: Type.String(), blockNumber: Type.String(), chainId: Type.Integer(), registry: Type.String(), rpcUrl: Type.Optional(Type.String()) })

/** What a proved job and its receipt both carry. */
const ProofFields = {
  circuit: Type.String(),
  output: Type.String(),
  modelCommitment: Type.String(),
  inputCommitment: Type.String(),
  publicSignals: Type.Array(Type.String()),
  proof: Type.Unknown(),
}

/** Which queue carries a job and its pg-boss state there (`name: 'embedded'` when the gateway runs its jobs in process). */
export const JobQueueView = Type.Object({ name: Type.String(), state: Type.Union([Type.String(), Type.Null()]), attempts: Type.Union([Type.Integer(), Type.Null()]) })

export const JobView = Type.Object({
  id: Type.String(),
  state: Type.String(),
  modelId: Type.Union([Type.String(), Type.Null()]),
  owner: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  txHash: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  result: Type.Union([
    Type.Object(
      {
        ...ProofFields,
        receipt: Type.Optional(Receipt),
        salt: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ]),
  /** Which queue carries the job, and its state there (`GET /v1/jobs/:id`). */
  queue: Type.Optional(JobQueueView),
  /** The job's kind (`proven-inference`, `proven-inference-batch`, `circuit-build`). */
  kind: Type.Optional(Type.String()),
  /** A batch job's progress and result (`POST /v1/models/:id/prove-batch`); its `result` is null. */
  batch: Type.Optional(BatchJobResult),
})

export const ReceiptResponse = Type.Object({
  jobId: Type.String(),
  ...ProofFields,
  receipt: Receipt,
})

export const VerifyBody = Type.Object({ txHash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }), publicSignals: Type.Array(Type.String({ pattern: '^[0-9]{1,78}$' }), { minItems: 3, maxItems: 3 }), batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'rows of a batch receipt (its job view\'s batch.size); absent for a single inference' })) }, { additionalProperties: false })
export const VerifyResponse = Type.Object({ valid: Type.Boolean() })

export type Receipt = Static<typeof Receipt>
export type JobView = Static<typeof JobView>
export type ReceiptResponse = Static<typeof ReceiptResponse>
export type VerifyBody = Static<typeof VerifyBody>
export type VerifyResponse = Static<typeof VerifyResponse>
