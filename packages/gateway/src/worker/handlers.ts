/**
 * @module worker/handlers
 * What a delivery of each queue does, the same in a `krain worker` process and in a gateway that
 * works its own queues: `prove` runs the {@link JobRunner}'s proving step, `chain` the
 * {@link OutboxRelay}'s submission of one entry, `build` the {@link CircuitBuilds}' build of one
 * model's circuit (when given), and `dead` gives up on a proof job or a circuit build whose retries
 * are exhausted (a chain submission out of retries stays pending in the outbox: the record is
 * delayed, never lost; the next sweep hands it on again).
 */
import type { FastifyBaseLogger } from 'fastify'
import type { JobRunner } from '../jobs/job-runner.js'
import type { OutboxRelay } from '../jobs/outbox-relay.js'
import type { QueueHandlers } from '../jobs/queue.js'
import type { CircuitBuilds } from '../zk/circuit-builds.js'

/**
 * The queue handlers over a runner and a relay.
 * @returns handlers for {@link JobQueue.work}
 * @example
 * ```ts
 * await queue.work(queueHandlers({ jobs, outbox, log }), { queues: ['prove', 'chain'], concurrency: 2 })
 * ```
 */
export function queueHandlers({ jobs, outbox, builds, beforeChain, log }: { jobs: Pick<JobRunner, 'prove' | 'giveUp'>; outbox: Pick<OutboxRelay, 'submitById'>; builds?: Pick<CircuitBuilds, 'build' | 'giveUp'>; beforeChain?: (outboxId: string) => Promise<void>; log: Pick<FastifyBaseLogger, 'info' | 'warn'> }): QueueHandlers {
  return {
    ...(builds
      ? {
          build: async (d) => {
            log.info({ job: d.id, attempt: d.retryCount + 1 }, 'circuit build started')
            await builds.build(d.id)
            log.info({ job: d.id }, 'circuit build finished')
          },
        }
      : {}),
    prove: async (d) => {
      log.info({ job: d.id, attempt: d.retryCount + 1 }, 'proof job started')
      await jobs.prove(d.id)
      log.info({ job: d.id }, 'proof job finished')
    },
    chain: async (d) => {
      await beforeChain?.(d.id)
      await outbox.submitById(d.id)
    },
    dead: async ({ queue, id }) => {
      if (queue === 'build') {
        if (await builds?.giveUp(id, 'the circuit build failed on every attempt (its worker failed or died each time)')) log.warn({ job: id }, 'circuit build out of retries: failed')
      } else if (queue === 'prove') {
        if (await jobs.giveUp(id, 'the proof job failed on every attempt (its worker failed or died each time)')) log.warn({ job: id }, 'proof job out of retries: failed')
      } else log.warn({ entry: id }, 'chain submission out of retries: it stays pending in the outbox')
    },
  }
}
