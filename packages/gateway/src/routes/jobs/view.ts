/**
 * @module routes/jobs/view
 * What a job looks like over HTTP (`JobView` of `@krain/client/schemas/jobs`). The input features
 * are never returned; the salt (which opens the input commitment) only to the job's owner.
 */
import type { JobView } from '@krain/client/schemas/jobs'
import type { JobRecord, ProvenInferenceBatchJob } from '../../store/types.js'

/** The HTTP view of a job. */
export function jobView(job: JobRecord, isOwner: boolean): JobView {
  // Other job kinds (circuit builds) describe their result elsewhere (GET /v1/models/:id/circuit).
  const r = job.kind === 'proven-inference' ? job.result : null
  const salt = isOwner && job.kind === 'proven-inference' ? job.input.salt : undefined
  return {
    id: job.id,
    state: job.state,
    modelId: job.modelId,
    owner: job.owner,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    txHash: job.txHash,
    error: job.error,
    result: r
      ? {
          circuit: r.circuit,
          output: r.output,
          modelCommitment: r.modelCommitment,
          inputCommitment: r.inputCommitment,
          publicSignals: r.publicSignals,
          proof: r.proof,
          ...(r.receipt ? { receipt: r.receipt } : {}),
          ...(salt ? { salt } : {}),
        }
      : null,
    ...(job.kind === 'proven-inference-batch' ? { kind: job.kind, batch: batchView(job, isOwner) } : {}),
  }
}

/** A batch job's progress and result; the salts (which open the rows' commitments) only to its owner, the rows never. */
function batchView(job: ProvenInferenceBatchJob, isOwner: boolean): NonNullable<JobView['batch']> {
  const r = job.result ?? { size: job.input.inputs.length }
  const phase = job.state === 'submitted' || job.state === 'confirmed' || job.state === 'failed' ? job.state : r.phase
  return { ...r, ...(phase ? { phase } : {}), ...(isOwner ? { salts: job.input.salts } : {}) }
}
