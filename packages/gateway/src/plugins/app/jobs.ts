/**
 * @module plugins/app/jobs
 * Decorates `fastify.jobs` (the {@link JobService}); resumes unfinished jobs and starts the outbox
 * pump when the server is ready; stops it on close.
 */
import fp from 'fastify-plugin'
import { JobService } from '../../jobs/job-service.js'
import { proveSpec } from '../../zk/prover.js'

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobService
  }
}

/** Register the job runner. */
export const jobsPlugin = fp(
  async (fastify) => {
    const jobs = new JobService({ store: fastify.store, prove: proveSpec, chain: () => fastify.chain, metrics: fastify.metrics, log: fastify.log, outboxIntervalMs: fastify.config.outboxIntervalMs })
    fastify.decorate('jobs', jobs)
    fastify.addHook('onReady', async () => jobs.start())
    fastify.addHook('preClose', async () => jobs.stop())
  },
  { name: 'krain-jobs', dependencies: ['krain-store', 'krain-chain', 'krain-metrics'] },
)
