/**
 * @module jobs/in-process-queue
 * The {@link JobQueue} of the embedded single-process mode: an enqueued job runs at once in this
 * process (proving in `@krain/zk`'s worker threads), with no queue of its own: the store is the
 * queue. A restart resumes unfinished jobs from the store (`JobRunner.start`), and the outbox
 * relay's periodic passes retry chain submissions with backoff. This is the behaviour the gateway
 * always had; {@link PgBossQueue} is the same interface on PostgreSQL.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../store/types.js'
import { emptyCounts, type JobQueue, type QueueHandlers, type QueueJobState, type QueueName, type QueueStats } from './queue.js'

/** The in-process queue. */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const
  private handlers: QueueHandlers | undefined
  private queues = new Set<QueueName>()
  private stopped = false
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly p: { store: Store; log: Pick<FastifyBaseLogger, 'error'> }) {}

  async start(): Promise<void> {}

  async enqueueProve(jobId: string): Promise<void> {
    this.run('prove', jobId)
  }

  async enqueueChain(outboxId: string): Promise<void> {
    this.run('chain', outboxId)
  }

  async enqueueBuild(jobId: string): Promise<void> {
    this.run('build', jobId)
  }

  async work(handlers: QueueHandlers, { queues }: { queues: QueueName[]; concurrency: number }): Promise<void> {
    this.handlers = handlers
    this.queues = new Set(queues)
  }

  async stats(): Promise<QueueStats> {
    const jobs = await this.p.store.countJobs()
    const pending = await this.p.store.countPendingOutbox()
    // in process nothing waits in a queue: what is unfinished is in the store
    const prove = { ...emptyCounts(), created: jobs.queued, active: jobs.proving }
    const chain = { ...emptyCounts(), created: pending }
    return { kind: this.kind, working: this.queues.size > 0, queues: { prove, chain, build: emptyCounts(), dead: emptyCounts() } }
  }

  async inspect(): Promise<QueueJobState | null> {
    return null
  }

  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled([...this.running])
  }

  private run(queue: QueueName, id: string): void {
    const handler = this.handlers?.[queue]
    if (this.stopped || !handler || !this.queues.has(queue)) return
    const q = handler({ id, retryCount: 0, retryLimit: 0 }).catch((e: unknown) => this.p.log.error({ err: e, queue, id }, 'job step failed'))
    this.running.add(q)
    void q.finally(() => this.running.delete(q))
  }
}
