/**
 * @module jobs/queue
 * The one interface between the gateway and whatever runs its background work: proof jobs
 * (`prove`), chain submissions from the outbox (`chain`) and circuit builds of registered models
 * (`build`). Two implementations:
 *
 * - {@link InProcessQueue} (`jobs/in-process-queue.ts`): the embedded single-process mode (SQLite,
 *   or `KRAIN_JOBS=embedded`): a job runs in this process as soon as it is enqueued, the outbox
 *   relay's periodic passes retry chain submissions.
 * - {@link PgBossQueue} (`jobs/pg-boss-queue.ts`): PostgreSQL through pg-boss, an established
 *   Postgres job queue (SKIP LOCKED fetches, retries with exponential backoff, expiry of jobs whose
 *   worker died, a dead-letter queue). Gateways enqueue; `krain worker` processes (or the gateway
 *   itself, unless `KRAIN_JOBS=external`) work the queues.
 *
 * The queue only delivers work, at least once. Exactly-once effects stay with the store: every step
 * of a job is a compare-and-set transition (`Store.transitionJob`, `transitionJobWithOutbox`), the
 * outbox entry is leased while it is submitted, and a submission first asks the chain whether the
 * record is already there (`ChainAdapter.findRecorded`). A redelivered job is therefore harmless.
 */

/** The queues, by what they carry. */
export type QueueName = 'prove' | 'chain' | 'build'

/** pg-boss queue names of {@link QueueName}, and the dead-letter queue they all fail into. */
export const queueNames = { prove: 'krain.prove', chain: 'krain.chain', build: 'krain.build', dead: 'krain.dead' } as const

/** One delivery of a queued job, as its handler sees it. */
export type Delivery = {
  /** The stored job's id (`prove`, `build`) or the outbox entry's id (`chain`). */
  id: string
  /** Deliveries before this one (0 the first time). */
  retryCount: number
  /** Retries allowed after the first delivery. */
  retryLimit: number
}

/**
 * What the queues do with a delivery. A handler that throws asks for a retry (with backoff); after
 * the last retry the job goes to the dead-letter queue and `dead` is called with it.
 */
export type QueueHandlers = {
  prove: (d: Delivery) => Promise<void>
  chain: (d: Delivery) => Promise<void>
  /** Build a model's circuit (its stored `circuit-build` job); needed only by a process that works `build`. */
  build?: (d: Delivery) => Promise<void>
  /** A job that exhausted its retries (or whose worker kept dying): give up on it visibly. */
  dead: (d: { queue: QueueName; id: string; error: string | null }) => Promise<void>
}

/** Counts of one queue by pg-boss state (all zero in process: nothing waits there). */
export type QueueCounts = { created: number; retry: number; active: number; completed: number; failed: number; cancelled: number }

/** What `GET /v1/queues` answers. */
export type QueueStats = {
  /** `in-process` or `pg-boss`. */
  kind: JobQueue['kind']
  /** Whether this process works the queues (false for a `KRAIN_JOBS=external` gateway). */
  working: boolean
  queues: Record<QueueName | 'dead', QueueCounts>
}

/** The queue side of one job: its delivery state and attempts. */
export type QueueJobState = {
  queue: string
  /** pg-boss state: `created`, `retry`, `active`, `completed`, `failed`, `cancelled`. */
  state: string
  /** Deliveries so far (1 while the first runs). */
  attempts: number
  retryLimit: number
  /** When the next attempt may start (ms since the epoch), while waiting for a retry. */
  startAfter: number | null
}

/** The background-work queue of one process. */
export interface JobQueue {
  readonly kind: 'in-process' | 'pg-boss'
  /** Start (connect, create the queues); idempotent. */
  start(): Promise<void>
  /** Deliver a stored, queued proof job to a prover. */
  enqueueProve(jobId: string): Promise<void>
  /** Deliver a stored, pending outbox entry to a chain submitter. */
  enqueueChain(outboxId: string): Promise<void>
  /** Deliver a stored, queued circuit-build job to a builder. */
  enqueueBuild(jobId: string): Promise<void>
  /** Work `queues` in this process with `handlers`, `concurrency` deliveries at a time per queue. */
  work(handlers: QueueHandlers, options: { queues: QueueName[]; concurrency: number }): Promise<void>
  /** Counts per queue. */
  stats(): Promise<QueueStats>
  /** The queue side of a proof job (or of a circuit build, `queue: 'build'`), or null when the queue keeps no record of it. */
  inspect(jobId: string, queue?: 'prove' | 'build'): Promise<QueueJobState | null>
  /** Stop taking work, wait for the deliveries in flight, disconnect. */
  stop(): Promise<void>
}

/** All-zero counts. */
export const emptyCounts = (): QueueCounts => ({ created: 0, retry: 0, active: 0, completed: 0, failed: 0, cancelled: 0 })
