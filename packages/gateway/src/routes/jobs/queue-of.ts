/**
 * @module routes/jobs/queue-of
 * The `queue` field of a job's view: which queue carries the job and its pg-boss state there, or
 * `embedded` when this gateway runs its jobs in process (the store is the queue).
 */
import type { JobQueue } from '../../jobs/queue.js'
import { queueNames } from '../../jobs/queue.js'
import type { JobRecord } from '../../store/types.js'

/** The queue side of a job, as the job view shows it. */
export type JobQueueView = { name: string; state: string | null; attempts: number | null }

/**
 * Where a job is queued: `{ name: 'embedded' }` in process, else its pg-boss queue (`krain.prove` for
 * a proof, `krain.build` for a circuit build) with the delivery's state and attempts (`state` null
 * when pg-boss keeps no record of it, e.g. archived long ago). Other job kinds have none (undefined).
 */
export async function queueOf(queue: JobQueue, job: JobRecord): Promise<JobQueueView | undefined> {
  if (queue.kind === 'in-process') return { name: 'embedded', state: null, attempts: null }
  const which = job.kind === 'proven-inference' ? 'prove' : job.kind === 'circuit-build' ? 'build' : null
  if (!which) return undefined
  const q = await queue.inspect(job.id, which).catch(() => null)
  return q ? { name: q.queue, state: q.state, attempts: q.attempts } : { name: queueNames[which], state: null, attempts: null }
}
