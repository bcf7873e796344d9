/**
 * @module jobs/state-machine
 * The life of a proven-inference job:
 *
 *   queued → proving → proved → submitted → confirmed
 *      └────────┴─────────┴──────────┴──→ failed
 *
 * `proved` enqueues the chain submission in the outbox in the same transaction; `submitted`
 * records the transaction hash; `confirmed` the receipt. A restart resumes `queued` and `proving`
 * jobs (proving again) and the outbox resumes the rest.
 */
import type { JobState } from '../store/types.js'

/** Allowed predecessors of each state. */
export const jobTransitions: Record<JobState, JobState[]> = {
  queued: [],
  proving: ['queued', 'proving'],
  proved: ['proving'],
  submitted: ['proved', 'submitted'],
  confirmed: ['proved', 'submitted'],
  failed: ['queued', 'proving', 'proved', 'submitted'],
}

/** Final states. */
export const finalJobStates: JobState[] = ['confirmed', 'failed']

/** True when `from → to` is a legal transition. */
export function canTransition(from: JobState, to: JobState): boolean {
  return jobTransitions[to].includes(from)
}
