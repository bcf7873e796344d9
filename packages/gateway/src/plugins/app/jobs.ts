/**
 * @module plugins/app/jobs
 * Decorates `fastify.jobs` (the {@link JobRunner}) and `fastify.outbox` (the {@link OutboxRelay}
 * that submits proved jobs to the chain); resumes unfinished jobs and starts the relay when the
 * server is ready; stops both on close.
 */
import fp from 'fastify-plugin'
import { JobRunner } from '../../jobs/job-runner.js'
import { OutboxRelay } from '../../jobs/outbox-relay.js'
import { proveSpec } from '../../zk/prover.js'

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobRunner
    outbox: OutboxRelay
  }
}

/** Register the job runner and the outbox relay. */
export const jobsPlugin = fp(
  async (fastify) => {
    let relay: OutboxRelay | undefined
    const jobs = new JobRunner({ store: fastify.store, prove: proveSpec, metrics: fastify.metrics, log: fastify.log, onProved: () => void relay?.pump() })
    relay = new OutboxRelay({ store: fastify.store, chain: () => fastify.chain, jobs, log: fastify.log, intervalMs: fastify.config.outboxIntervalMs })
    const outbox = relay
    fastify.decorate('jobs', jobs)
    fastify.decorate('outbox', outbox)
    fastify.addHook('onReady', async () => {
      await jobs.start()
      outbox.start()
    })
    fastify.addHook('preClose', async () => {
      await jobs.stop()
      await outbox.stop()
    })
  },
  { name: 'krain-jobs', dependencies: ['krain-store', 'krain-chain', 'krain-metrics'] },
)
