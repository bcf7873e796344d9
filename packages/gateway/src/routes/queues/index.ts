/**
 * @module routes/queues
 * Visibility of the job queues: `GET /v1/queues` (counts per queue and pg-boss state, dead-letter
 * queue included, for any signed-in caller) and `GET /v1/queues/jobs/:id` (the queue side of one
 * proof job or circuit build: its delivery state and attempts, for whoever may read the job). Embedded, the queue
 * is the store: counts come from it and no job has a queue record (404 `NOT_FOUND`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { NotFoundError } from '../../errors.js'

const Counts = Type.Object({ created: Type.Integer(), retry: Type.Integer(), active: Type.Integer(), completed: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer() })
const QueueStats = Type.Object({
  kind: Type.Union([Type.Literal('in-process'), Type.Literal('pg-boss')]),
  /** Whether this instance works the queues itself (false for `KRAIN_JOBS=external`). */
  working: Type.Boolean(),
  queues: Type.Object({ prove: Counts, chain: Counts, build: Counts, dead: Counts }),
})
const QueueJob = Type.Object({
  queue: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  retryLimit: Type.Integer(),
  startAfter: Type.Union([Type.Integer(), Type.Null()]),
})

/** Queue routes. */
export const queueRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', { schema: { tags: ['ops'], summary: 'Job queues: counts by state (prove, chain, build, dead letters)', response: { 200: QueueStats } } }, async () => fastify.queue.stats())

  fastify.get('/jobs/:id', { schema: { tags: ['proofs'], summary: 'The queue side of a proof job: delivery state and attempts', params: IdParams, response: { 200: QueueJob, ...errorResponses } } }, async (req) => {
    req.caller()
    const job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    req.authorize('jobs:read', { owner: job.owner })
    const q = await fastify.queue.inspect(job.id, job.kind === 'circuit-build' ? 'build' : 'prove')
    if (!q) throw new NotFoundError('queued job', job.id)
    return q
  })
}
