/**
 * @module routes/jobs/view
 * What a job looks like over HTTP. The input features are never returned; the salt (which opens
 * the input commitment) only to the job's owner.
 */
import type { JobRecord } from '../../store/types.js'

/** The HTTP view of a job. */
export function jobView(job: JobRecord, isOwner: boolean): {
  id: string
  state: string
  modelId: string | null
  owner: string
  createdAt: number
  updatedAt: number
  txHash: string | null
  error: { code: string; message: string } | null
  result: { circuit: string; output: string; modelCommitment: string; inputCommitment: string; publicSignals: string[]; proof: unknown; receipt?: { txHash: string; blockNumber: string; chainId: number; registry: string }; salt?: string } | null
} {
  // Other job kinds (circuit builds) describe their result elsewhere (GET /v1/models/:id/circuit).
  const r = job.result && job.kind === 'proven-inference' ? (JSON.parse(job.result) as Record<string, unknown>) : null
  const salt = isOwner ? (JSON.parse(job.input) as { salt?: string }).salt : undefined
  return {
    id: job.id,
    state: job.state,
    modelId: job.modelId,
    owner: job.owner,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    txHash: job.txHash,
    error: job.error ? (JSON.parse(job.error) as { code: string; message: string }) : null,
    result: r
      ? {
          circuit: String(r.circuit),
          output: String(r.output),
          modelCommitment: String(r.modelCommitment),
          inputCommitment: String(r.inputCommitment),
          publicSignals: r.publicSignals as string[],
          proof: r.proof,
          ...(r.receipt ? { receipt: r.receipt as { txHash: string; blockNumber: string; chainId: number; registry: string } } : {}),
          ...(salt ? { salt } : {}),
        }
      : null,
  }
}
