/**
 * @module routes/jobs/events
 * `GET /v1/jobs/:id/events`: a job's life as Server-Sent Events (text/event-stream,
 * https://html.spec.whatwg.org/multipage/server-sent-events.html). The first event is the job as it
 * is; then one `job` event per change of its state (or, for a circuit build, of its phase), until a
 * final state (`confirmed`, `failed`), after which the stream ends. Whichever instance the client
 * reached answers: it is woken by the store's announcement of every job transition
 * (`Store.subscribe('job')`: PostgreSQL `LISTEN/NOTIFY` across instances and workers, in process on
 * SQLite), never by a polling loop. A comment line every 15 s keeps proxies from closing an idle
 * stream; on shutdown the server ends every open stream before it closes.
 *
 * Authorisation is that of `GET /v1/jobs/:id`: 404 for an unknown job, `jobs:read` on the job's
 * owner (the owner or a verifier); the salt is shown to the owner only.
 */
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { NotFoundError } from '../../errors.js'
import { finalJobStates } from '../../jobs/state-machine.js'
import type { JobRecord } from '../../store/types.js'
import { queueOf } from './queue-of.js'
import { jobView } from './view.js'

/** Milliseconds between heartbeat comments of an idle stream. */
export const HEARTBEAT_MS = 15_000

/** The phase of a job that has phases (a circuit build's, a batch job's), else null. */
const phaseOf = (job: JobRecord): string | null => (job.kind === 'circuit-build' || job.kind === 'proven-inference-batch' ? (job.result?.phase ?? null) : null)

/** The job event stream route. */
export const jobEventsRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  // one store subscription per instance, fanned out to the open streams by job id
  const bus = new EventEmitter().setMaxListeners(0)
  const open = new Set<() => void>()
  let unsubscribe: (() => void) | undefined
  fastify.addHook('onReady', async () => {
    unsubscribe = await fastify.store.subscribe('job', (id) => {
      if (id) bus.emit(id)
      // an empty announcement: the LISTEN connection was re-opened and some may be lost: every stream re-reads
      else for (const name of bus.eventNames()) bus.emit(name)
    })
  })
  fastify.addHook('preClose', async () => {
    for (const end of [...open]) end()
    unsubscribe?.()
  })

  fastify.get('/jobs/:id/events', { schema: { tags: ['proofs'], summary: 'A job\'s state changes as Server-Sent Events (text/event-stream), until it is confirmed or failed', params: IdParams, produces: ['text/event-stream'], response: errorResponses } }, async (req, reply) => {
    req.caller() // identity first: whether an id exists is not told to anonymous callers
    const first = await fastify.store.getJob(req.params.id)
    if (!first) throw new NotFoundError('job', req.params.id)
    const who = req.authorize('jobs:read', { owner: first.owner })
    const isOwner = first.owner === who.address
    const id = first.id

    const stream = new PassThrough()
    let seq = 0
    let last = ''
    let ended = false
    let reading = Promise.resolve()
    const send = async (job: JobRecord): Promise<void> => {
      const phase = phaseOf(job)
      const key = `${job.state}\u0000${phase ?? ''}`
      if (key === last) return
      last = key
      const queue = await queueOf(fastify.queue, job)
      const data = { ...jobView(job, isOwner), kind: job.kind, phase, ...(queue ? { queue } : {}) }
      stream.write(`event: job\nid: ${++seq}\ndata: ${JSON.stringify(data)}\n\n`)
      if (finalJobStates.includes(job.state)) end()
    }
    // transitions are read one at a time, in the order they were announced
    const changed = (): void => {
      reading = reading.then(async () => {
        if (ended) return
        const job = await fastify.store.getJob(id)
        if (job) await send(job)
      }).catch((e: unknown) => {
        req.log.warn({ err: e, job: id }, 'job event stream: reading the job failed')
        end()
      })
    }
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS)
    heartbeat.unref()
    const end = (): void => {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      bus.off(id, changed)
      open.delete(end)
      stream.end()
    }
    open.add(end)
    req.raw.once('close', end)
    // listen first, then read: a transition in between is not missed (at worst read twice)
    bus.on(id, changed)
    stream.write(': krain job events\n\n')
    changed()
    return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform').header('x-accel-buffering', 'no').send(stream)
  })
}
