/**
 * @module plugins/app/jobs
 * Decorates `fastify.jobs` (the {@link JobRunner}), `fastify.outbox` (the {@link OutboxRelay}
 * that submits proved jobs to the chain) and `fastify.queue` (the {@link JobQueue} between them
 * and whoever does the work), chosen by `KRAIN_JOBS` ({@link Config.jobs}):
 *
 * - embedded (SQLite, or `KRAIN_JOBS=embedded`): the in-process queue; this process proves and
 *   submits, the relay's periodic passes retry; unfinished jobs resume when the server is ready.
 * - `auto` with a PostgreSQL `DATABASE_URL`: the pg-boss queues, worked by this process too.
 * - `external` (PostgreSQL only): this gateway only enqueues; `krain worker` processes work the
 *   queues; their job transitions reach this gateway's long-polls through the store's
 *   announcements (`Store.subscribe('job')`, PostgreSQL `LISTEN/NOTIFY`).
 */
import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import { ConfigError } from '../../errors.js'
import { InProcessQueue } from '../../jobs/in-process-queue.js'
import { JobRunner } from '../../jobs/job-runner.js'
import { OutboxRelay } from '../../jobs/outbox-relay.js'
import { PgBossQueue, queueSchemaOf } from '../../jobs/pg-boss-queue.js'
import type { JobQueue } from '../../jobs/queue.js'
import { queueHandlers } from '../../worker/handlers.js'
import { proveSpec } from '../../zk/prover.js'

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobRunner
    outbox: OutboxRelay
    queue: JobQueue
  }
}

const isPostgres = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

/**
 * Which queue a configuration runs its jobs on.
 * @throws {ConfigError} for `KRAIN_JOBS=external` without a PostgreSQL `DATABASE_URL`
 */
export function jobsModeOf(config: Pick<Config, 'jobs' | 'databaseUrl'>): 'embedded' | 'pg-boss' | 'external' {
  if (config.jobs === 'external') {
    if (!isPostgres(config.databaseUrl)) throw new ConfigError('KRAIN_JOBS=external needs a PostgreSQL DATABASE_URL', 'workers take their jobs from the pg-boss queues in PostgreSQL')
    return 'external'
  }
  return config.jobs === 'auto' && isPostgres(config.databaseUrl) ? 'pg-boss' : 'embedded'
}

/** Register the job queue, the job runner and the outbox relay. */
export const jobsPlugin = fp(
  async (fastify) => {
    const config = fastify.config
    const mode = jobsModeOf(config)
    const boss = mode === 'embedded' ? null : new PgBossQueue({ databaseUrl: config.databaseUrl, schema: queueSchemaOf(config), proveTimeoutSeconds: config.proveTimeoutSeconds, ...(config.buildTimeoutSeconds !== undefined ? { buildTimeoutSeconds: config.buildTimeoutSeconds } : {}), ...(config.chainTimeoutSeconds !== undefined ? { chainTimeoutSeconds: config.chainTimeoutSeconds } : {}), retryLimit: config.queueRetryLimit, maintenanceSeconds: config.queueMaintenanceSeconds, log: fastify.log })
    const queue: JobQueue = boss ?? new InProcessQueue({ store: fastify.store, log: fastify.log })
    const jobs = new JobRunner({ store: fastify.store, prove: proveSpec, queue, metrics: fastify.metrics, log: fastify.log, onProved: (id) => queue.enqueueChain(`submit:${id}`) })
    const outbox = new OutboxRelay({ store: fastify.store, chain: () => fastify.chain, jobs, log: fastify.log, intervalMs: config.outboxIntervalMs })
    fastify.decorate('jobs', jobs)
    fastify.decorate('outbox', outbox)
    fastify.decorate('queue', queue)
    let unsubscribe: (() => void) | undefined
    fastify.addHook('onReady', async () => {
      await queue.start()
      if (mode === 'embedded') {
        // the relay's passes are the chain queue here
        await queue.work({ ...queueHandlers({ jobs, outbox, log: fastify.log }), chain: () => outbox.pump() }, { queues: ['prove', 'chain'], concurrency: 1 })
        await jobs.start()
        outbox.start()
        return
      }
      if (mode === 'pg-boss') await queue.work(queueHandlers({ jobs, outbox, log: fastify.log }), { queues: ['prove', 'chain'], concurrency: 1 })
      // a worker's transitions (or another gateway's), announced by the store, wake this gateway's long-polls
      unsubscribe = await fastify.store.subscribe('job', (id) => {
        if (id) jobs.events.emit('job', id)
      })
      await jobs.start()
    })
    fastify.addHook('preClose', async () => {
      await jobs.stop()
      await outbox.stop()
      await queue.stop()
      unsubscribe?.()
    })
  },
  { name: 'krain-jobs', dependencies: ['krain-store', 'krain-chain', 'krain-metrics'] },
)
