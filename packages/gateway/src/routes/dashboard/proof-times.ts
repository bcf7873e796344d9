/**
 * @module routes/dashboard/proof-times
 * `krain_proof_job_seconds`: how long proven-inference jobs took from request to their final state
 * (`confirmed` or `failed`), a Prometheus histogram the dashboard charts. It is filled when
 * `/metrics` is scraped, from the jobs the store holds (each finished job observed once), so the
 * job service needs no hook and a job finished by another instance sharing the store counts too.
 */
import type { FastifyInstance } from 'fastify'
import { Histogram } from 'prom-client'

/** How many recently updated jobs one scrape looks at. */
const SCAN = 500
/** How many observed job ids are remembered (older ones have left the scan window). */
const REMEMBER = 5_000

/** Register the histogram in the instance's metrics registry. */
export function registerProofTimes(fastify: FastifyInstance): void {
  const seen = new Set<string>()
  new Histogram({
    name: 'krain_proof_job_seconds',
    help: 'Proven-inference jobs: seconds from request to confirmed (or failed), by final state',
    labelNames: ['state'],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [fastify.metrics.registry],
    async collect() {
      const jobs = await fastify.store.listJobsOf(null, SCAN)
      for (const j of jobs) {
        if (j.kind !== 'proven-inference' || (j.state !== 'confirmed' && j.state !== 'failed') || seen.has(j.id)) continue
        seen.add(j.id)
        this.observe({ state: j.state }, Math.max(0, j.updatedAt - j.createdAt) / 1000)
      }
      if (seen.size > REMEMBER) for (const id of [...seen].slice(0, seen.size - REMEMBER)) seen.delete(id)
    },
  })
}
