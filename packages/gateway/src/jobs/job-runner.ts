/**
 * @module jobs/job-runner
 * Runs proven-inference jobs up to `proved`: proving in `@krain/zk`'s worker threads, then, in
 * one transaction, the `proved` state and the outbox entry that the {@link OutboxRelay} submits
 * to the chain. Every step is a compare-and-set on the stored job, so two runners (or a runner
 * after a restart) never apply one step twice, and nothing lives only in memory.
 */
import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Model } from '@krain/models'
import { GatewayError, NotFoundError } from '../errors.js'
import type { Metrics } from '../plugins/app/metrics.js'
import type { ProveResult } from '../zk/prover.js'
import type { JobPatch, JobState, OutboxRecord, ProvenInferenceJob, Store } from '../store/types.js'
import type { ProveInput } from '../store/rows.js'
import { finalJobStates, jobTransitions } from './state-machine.js'
import { waitUntil } from './wait-until.js'

/** Parameters of {@link JobRunner}. */
export type JobRunnerParameters = {
  store: Store
  /** Proves one inference (`@krain/zk` through its own worker threads). */
  prove: (p: { spec: Model; input: number[]; salt: string; modelId: string }) => Promise<ProveResult>
  metrics: Metrics
  log: FastifyBaseLogger
  /** Called when a job reached `proved` and its outbox entry is stored (the relay submits it now). */
  onProved?: (jobId: string) => void
}

/** The proven-inference job runner of one gateway instance. */
export class JobRunner {
  /** Emits `('job', id)` after every stored transition of a job. */
  readonly events = new EventEmitter().setMaxListeners(0)
  private stopped = false
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly p: JobRunnerParameters) {}

  /** Store a new job (queued) and start proving it. */
  async create({ owner, modelId, input }: { owner: string; modelId: string; input: ProveInput }): Promise<ProvenInferenceJob> {
    const now = Date.now()
    const job: ProvenInferenceJob = { id: randomUUID(), owner, kind: 'proven-inference', modelId, state: 'queued', input, result: null, error: null, txHash: null, createdAt: now, updatedAt: now }
    await this.p.store.createJob(job)
    this.p.metrics.jobs.inc({ kind: job.kind, state: 'queued' })
    this.track(this.prove(job.id))
    return job
  }

  /** Resume the jobs a (re)start interrupted. */
  async start(): Promise<void> {
    for (const job of await this.p.store.listJobs(['queued', 'proving'])) if (job.kind === 'proven-inference') this.track(this.prove(job.id))
  }

  /** Start nothing new and wait for the steps in flight. */
  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled([...this.running])
  }

  /**
   * Resolve with the job once it reaches one of `states` (or a final state).
   * @throws {NotFoundError} for an unknown job; `JOB_WAIT_TIMEOUT` after `timeoutMs`
   */
  waitFor(id: string, states: JobState[], timeoutMs = 120_000): Promise<ProvenInferenceJob> {
    const wanted = new Set<JobState>([...states, ...finalJobStates])
    return waitUntil({
      events: this.events,
      event: 'job',
      id,
      read: async () => {
        const job = await this.p.store.getJob(id)
        if (!job || job.kind !== 'proven-inference') throw new NotFoundError('job', id)
        return job
      },
      ready: (job) => wanted.has(job.state),
      timeoutMs,
      onTimeout: () => new GatewayError('JOB_WAIT_TIMEOUT', { shortMessage: `job ${id} did not reach ${states.join('/')} in time` }),
    })
  }

  /** Move a proven-inference job to `to` if the state machine allows it from its current state (compare-and-set). */
  async move(id: string, to: JobState, patch: JobPatch = {}): Promise<boolean> {
    const ok = await this.p.store.transitionJob(id, jobTransitions[to], { state: to, ...patch }, Date.now())
    if (ok) this.moved(id, to)
    return ok
  }

  private moved(id: string, to: JobState): void {
    this.p.metrics.jobs.inc({ kind: 'proven-inference', state: to })
    this.events.emit('job', id)
  }

  private track<T>(p: Promise<T>): void {
    const q = p.catch((e) => this.p.log.error({ err: e }, 'job step failed'))
    this.running.add(q)
    void q.finally(() => this.running.delete(q))
  }

  private async prove(id: string): Promise<void> {
    if (this.stopped) return
    if (!(await this.move(id, 'proving'))) return
    const job = await this.p.store.getJob(id)
    if (job?.kind !== 'proven-inference') return
    const model = job.modelId ? await this.p.store.getModel(job.modelId) : null
    if (!model) {
      await this.move(id, 'failed', { error: { code: 'MODEL_NOT_FOUND', message: `model ${job.modelId} not found` } })
      return
    }
    const { input } = job
    let proved: ProveResult
    try {
      proved = await this.p.prove({ spec: model.spec, input: input.input, salt: input.salt, modelId: model.id })
      this.p.metrics.proofs.inc({ result: 'ok' })
    } catch (e) {
      this.p.metrics.proofs.inc({ result: 'error' })
      const err = e as { code?: string; shortMessage?: string; message?: string }
      await this.move(id, 'failed', { error: { code: err.code ?? 'PROVING_FAILED', message: err.shortMessage ?? 'proving failed' } })
      if (!err.code) this.p.log.error({ err: e, job: id }, 'proving failed')
      return
    }
    const now = Date.now()
    const outbox: OutboxRecord = {
      id: `submit:${id}`,
      jobId: id,
      kind: 'submit-inference',
      payload: { circuit: proved.circuit, modelCommitment: proved.modelCommitment, proof: proved.proof, publicSignals: proved.publicSignals },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: null,
      result: null,
      createdAt: now,
      updatedAt: now,
    }
    if (await this.p.store.transitionJobWithOutbox(id, ['proving'], { state: 'proved', result: proved }, outbox, now)) {
      this.moved(id, 'proved')
      this.p.onProved?.(id)
    }
  }
}
