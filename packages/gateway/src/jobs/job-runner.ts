/**
 * @module jobs/job-runner
 * Runs proven-inference jobs up to `proved`: proving in `@krain/zk`'s worker threads, then, in
 * one transaction, the `proved` state and the outbox entry that the {@link OutboxRelay} submits
 * to the chain. Every step is a compare-and-set on the stored job, so two runners (or a runner
 * after a restart, or a redelivery by the job queue) never apply one step twice, and nothing lives
 * only in memory. New jobs are handed to a {@link JobQueue}: in this process (embedded) or through
 * pg-boss to whichever process works the `prove` queue.
 *
 * A batch job (`proven-inference-batch`, k rows of one model in one proof) takes the same path: its
 * `prove` delivery builds (or finds in the cache) the model's k-row batch circuit, writing the
 * build's phase into the job as it goes, proves, and stores `proved` with an outbox entry whose
 * payload carries `batch: { size: k }`, so the relay submits it with `submitInferenceBatch` exactly
 * once (the same lease, the same look-up of an existing record under its `batchId`).
 */
import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Model } from '@krain/models'
import { GatewayError, NotFoundError } from '../errors.js'
import type { JobQueue } from './queue.js'
import type { Metrics } from '../plugins/app/metrics.js'
import type { ProveResult } from '../zk/prover.js'
import type { JobPatch, JobState, OutboxRecord, ProvenInferenceBatchJob, ProvenInferenceJob, Store } from '../store/types.js'
import type { BatchJobResult, ProveBatchInput, ProveInput } from '../store/rows.js'
import { batchIdOf } from '../chain/batch-chain.js'
import { proveBatchRows, type ProveBatchRowsResult } from '../zk/batch-circuits.js'
import { finalJobStates, jobTransitions } from './state-machine.js'
import { waitUntil } from './wait-until.js'

/** Parameters of {@link JobRunner}. */
export type JobRunnerParameters = {
  store: Store
  /** Proves one inference (`@krain/zk` through its own worker threads). */
  prove: (p: { spec: Model; input: number[]; salt: string; modelId: string }) => Promise<ProveResult>
  /** Proves a batch job's rows (default: `zk/batch-circuits.ts` `proveBatchRows`, building the batch circuit when missing). */
  proveBatch?: typeof proveBatchRows
  /** Where new jobs go (and where a resumed one is handed again). */
  queue: JobQueue
  /** Counters (absent in a worker process without a metrics endpoint). */
  metrics?: Pick<Metrics, 'jobs' | 'proofs'>
  log: Pick<FastifyBaseLogger, 'error' | 'warn'>
  /**
   * Called when a job is `proved` with its outbox entry stored (also when a redelivered job finds
   * it so): the chain submission is due.
   */
  onProved?: (jobId: string) => void | Promise<void>
}

/** The pending outbox entry that submits a proved job's proof (one per job: its id is `submit:<job>`). */
function submitEntry(jobId: string, payload: OutboxRecord['payload'], now: number): OutboxRecord {
  return { id: `submit:${jobId}`, jobId, kind: 'submit-inference', payload, status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null, lastError: null, result: null, createdAt: now, updatedAt: now }
}

/** The proven-inference job runner of one gateway instance. */
export class JobRunner {
  /** Emits `('job', id)` after every stored transition of a job. */
  readonly events = new EventEmitter().setMaxListeners(0)
  private stopped = false

  constructor(private readonly p: JobRunnerParameters) {}

  /**
   * Store a new job (queued) and hand it to the queue.
   * @throws {GatewayError} `QUEUE_UNAVAILABLE` when the queue refuses it (the job is then stored as failed)
   */
  async create({ owner, modelId, input }: { owner: string; modelId: string; input: ProveInput }): Promise<ProvenInferenceJob> {
    const now = Date.now()
    return this.queueNew<ProvenInferenceJob>({ id: randomUUID(), owner, kind: 'proven-inference', modelId, state: 'queued', input, result: null, error: null, txHash: null, createdAt: now, updatedAt: now })
  }

  /**
   * Store a new batch job (queued; its rows and salts already checked by the route) and hand it to the queue.
   * @throws {GatewayError} `QUEUE_UNAVAILABLE` when the queue refuses it (the job is then stored as failed)
   */
  async createBatch({ owner, modelId, input }: { owner: string; modelId: string; input: ProveBatchInput }): Promise<ProvenInferenceBatchJob> {
    const now = Date.now()
    return this.queueNew<ProvenInferenceBatchJob>({ id: randomUUID(), owner, kind: 'proven-inference-batch', modelId, state: 'queued', input, result: { size: input.inputs.length, phase: 'queued' }, error: null, txHash: null, createdAt: now, updatedAt: now })
  }

  /** Store a new proof job (single or batch) and hand it to the prove queue; a refused hand-over stores it as failed. */
  private async queueNew<J extends ProvenInferenceJob | ProvenInferenceBatchJob>(job: J): Promise<J> {
    await this.p.store.createJob(job)
    this.p.metrics?.jobs.inc({ kind: job.kind, state: 'queued' })
    try {
      await this.p.queue.enqueueProve(job.id)
    } catch (e) {
      this.p.log.error({ err: e, job: job.id, kind: job.kind }, 'enqueueing a proof job failed')
      await this.move(job.id, 'failed', { error: { code: 'QUEUE_UNAVAILABLE', message: 'the job queue is unavailable' } }).catch(() => undefined)
      throw new GatewayError('QUEUE_UNAVAILABLE', { shortMessage: `job ${job.id} could not be queued: the job queue is unavailable; retry later`, cause: e })
    }
    return job
  }

  /**
   * Hand every unfinished job to the queue again (after a restart, or a worker's start): queued and
   * proving jobs to a prover, proved and submitted ones to the chain submitter. Deliveries that
   * are still queued or running are not duplicated (the queue's ids are the jobs' own).
   */
  async start(): Promise<void> {
    for (const job of await this.p.store.listJobs(['queued', 'proving', 'proved', 'submitted'])) {
      if ((job.kind !== 'proven-inference' && job.kind !== 'proven-inference-batch') || this.stopped) continue
      if (job.state === 'queued' || job.state === 'proving') await this.p.queue.enqueueProve(job.id)
      else await this.p.onProved?.(job.id)
    }
  }

  /** Start nothing new (the queue waits for the steps in flight). */
  async stop(): Promise<void> {
    this.stopped = true
  }

  /**
   * Give up on a job the queue could not finish (its retries are exhausted: it kept failing, or
   * its worker kept dying): `failed` with `JOB_RETRIES_EXHAUSTED`, unless it got further meanwhile.
   */
  async giveUp(id: string, reason: string): Promise<boolean> {
    return this.move(id, 'failed', { error: { code: 'JOB_RETRIES_EXHAUSTED', message: reason } }, ['queued', 'proving'])
  }

  /**
   * Resolve with the job once it reaches one of `states` (or a final state).
   * @throws {NotFoundError} for an unknown job; `JOB_WAIT_TIMEOUT` after `timeoutMs`
   */
  waitFor(id: string, states: JobState[], timeoutMs = 120_000): Promise<ProvenInferenceJob | ProvenInferenceBatchJob> {
    const wanted = new Set<JobState>([...states, ...finalJobStates])
    return waitUntil({
      events: this.events,
      event: 'job',
      id,
      read: async () => {
        const job = await this.p.store.getJob(id)
        if (!job || (job.kind !== 'proven-inference' && job.kind !== 'proven-inference-batch')) throw new NotFoundError('job', id)
        return job
      },
      ready: (job) => wanted.has(job.state),
      timeoutMs,
      onTimeout: () => new GatewayError('JOB_WAIT_TIMEOUT', { shortMessage: `job ${id} did not reach ${states.join('/')} in time` }),
    })
  }

  /** Move a proven-inference job to `to` if the state machine allows it from its current state (compare-and-set). */
  async move(id: string, to: JobState, patch: JobPatch = {}, from: JobState[] = jobTransitions[to]): Promise<boolean> {
    const ok = await this.p.store.transitionJob(id, from, { state: to, ...patch }, Date.now())
    if (ok) this.moved(id, to)
    return ok
  }

  private moved(id: string, to: JobState): void {
    this.p.metrics?.jobs.inc({ kind: 'proven-inference', state: to })
    this.events.emit('job', id)
  }

  /**
   * Prove a stored job (one delivery of the `prove` queue): `proving`, the proof, then `proved`
   * with its outbox entry. A job already past `proving` only has its chain submission handed on
   * again (a redelivery after a crash between the two). Proving errors fail the job; a store error
   * is thrown (the queue retries the delivery).
   */
  async prove(id: string): Promise<void> {
    if (this.stopped) return
    if (!(await this.move(id, 'proving'))) {
      const seen = await this.p.store.getJob(id)
      if ((seen?.kind === 'proven-inference' || seen?.kind === 'proven-inference-batch') && (seen.state === 'proved' || seen.state === 'submitted')) await this.p.onProved?.(id)
      return
    }
    const job = await this.p.store.getJob(id)
    if (job?.kind === 'proven-inference-batch') return this.proveBatch(job)
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
      this.p.metrics?.proofs.inc({ result: 'ok' })
    } catch (e) {
      this.p.metrics?.proofs.inc({ result: 'error' })
      const err = e as { code?: string; shortMessage?: string; message?: string }
      await this.move(id, 'failed', { error: { code: err.code ?? 'PROVING_FAILED', message: err.shortMessage ?? 'proving failed' } })
      if (!err.code) this.p.log.error({ err: e, job: id }, 'proving failed')
      return
    }
    const now = Date.now()
    const outbox = submitEntry(id, { circuit: proved.circuit, modelCommitment: proved.modelCommitment, proof: proved.proof, publicSignals: proved.publicSignals }, now)
    if (await this.p.store.transitionJobWithOutbox(id, ['proving'], { state: 'proved', result: proved }, outbox, now)) {
      this.moved(id, 'proved')
      await this.p.onProved?.(id)
    }
  }

  /**
   * Prove a batch job (already moved to `proving`): the batch circuit (its build phase written into
   * the job as it goes, so every instance's view shows it), the proof, then `proved` with its outbox
   * entry in one transaction.
   */
  private async proveBatch(job: ProvenInferenceBatchJob): Promise<void> {
    const { id } = job
    const size = job.input.inputs.length
    const model = job.modelId ? await this.p.store.getModel(job.modelId) : null
    if (!model) {
      await this.move(id, 'failed', { error: { code: 'MODEL_NOT_FOUND', message: `model ${job.modelId} not found` } })
      return
    }
    // progress writes are compare-and-set on `proving`, one at a time: a late one never overwrites `proved`
    let writes = Promise.resolve()
    const progress = (p: { phase: string; message: string; circuit?: string; constraints?: number }): void => {
      const result: BatchJobResult = { size, phase: p.phase, message: p.message, ...(p.circuit ? { circuit: p.circuit } : {}), ...(p.constraints !== undefined ? { constraints: p.constraints } : {}) }
      writes = writes
        .then(async () => {
          if (await this.p.store.transitionJob(id, ['proving'], { state: 'proving', result }, Date.now())) this.events.emit('job', id)
        })
        .catch((e: unknown) => this.p.log.warn({ err: e, job: id }, 'writing batch progress failed'))
    }
    let r: ProveBatchRowsResult
    try {
      r = await (this.p.proveBatch ?? proveBatchRows)({ model, inputs: job.input.inputs, salts: job.input.salts, onProgress: progress })
      this.p.metrics?.proofs.inc({ result: 'ok' })
    } catch (e) {
      await writes
      this.p.metrics?.proofs.inc({ result: 'error' })
      const err = e as { code?: string; shortMessage?: string; message?: string }
      await this.move(id, 'failed', { error: { code: err.code ?? 'PROVING_FAILED', message: err.shortMessage ?? 'proving failed' } })
      if (!err.code) this.p.log.error({ err: e, job: id }, 'batch proving failed')
      return
    }
    await writes
    const { circuit, proved } = r
    const publicSignals = [...proved.publicSignals]
    const result: BatchJobResult = {
      size,
      phase: 'proved',
      message: `${size} rows proved with ${circuit.id}`,
      circuit: circuit.id,
      constraints: circuit.constraints,
      outputs: proved.outputs.map(String),
      modelCommitment: String(proved.modelCommitment),
      inputCommitments: proved.inputCommitments.map(String),
      batchCommitment: String(proved.batchCommitment),
      publicSignals,
      proof: proved.proof,
      recordId: batchIdOf({ publicSignals, batch: { size } }),
    }
    const now = Date.now()
    const singleCircuit = model.meta?.proving.circuitId
    const outbox = submitEntry(id, { circuit: circuit.id, modelCommitment: String(proved.modelCommitment), proof: proved.proof, publicSignals, batch: { size, ...(singleCircuit ? { singleCircuit } : {}) } }, now)
    if (await this.p.store.transitionJobWithOutbox(id, ['proving'], { state: 'proved', result }, outbox, now)) {
      this.moved(id, 'proved')
      await this.p.onProved?.(id)
    }
  }
}
