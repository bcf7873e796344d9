/**
 * @module jobs/job-service
 * Runs proven-inference jobs: proving in the worker pool, then the chain submission through the
 * stored outbox. Every step is a compare-and-set on the stored job, so two runners (or a runner
 * after a restart) never apply one step twice, and nothing lives only in memory.
 */
import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { ChainAdapter, InferenceSubmission } from '../chain/adapter.js'
import { GatewayError, NotFoundError } from '../errors.js'
import type { Metrics } from '../plugins/app/metrics.js'
import type { ProveResult } from '../zk/prover.js'
import type { JobRecord, JobState, OutboxRecord, Store } from '../store/types.js'
import { finalJobStates, jobTransitions } from './state-machine.js'

/** The proving result stored on a job. */
export type ProvedResult = ProveResult

/** Parameters of {@link JobService}. */
export type JobServiceParameters = {
  store: Store
  /** Proves one inference (`@krain/zk` through its own worker threads; injectable for tests of the outbox). */
  prove: (p: { spec: string; input: number[]; salt: string; modelId: string }) => Promise<ProveResult>
  chain: () => ChainAdapter | null
  metrics: Metrics
  log: FastifyBaseLogger
  outboxIntervalMs: number
}

const MAX_BACKOFF_MS = 60_000
/**
 * Lease of a claimed outbox entry. Short, and renewed every {@link OUTBOX_HEARTBEAT_MS} while the
 * submission runs, so after a crash (kill -9) another runner takes the entry over within one lease
 * instead of waiting out a long one.
 */
export const OUTBOX_LEASE_MS = 15_000
/** How often a running submission renews its lease. */
export const OUTBOX_HEARTBEAT_MS = 5_000
/** Chain error codes after which retrying cannot help. */
const PERMANENT = new Set(['CHAIN_INVALID_PROOF', 'CHAIN_PUBLIC_INPUT_NOT_IN_FIELD', 'CHAIN_BATCH_NOT_SUPPORTED', 'CHAIN_INVALID_BATCH_SIZE'])

/** Job runner and outbox pump of one gateway instance. */
export class JobService {
  private readonly events = new EventEmitter()
  private timer: NodeJS.Timeout | undefined
  private pumping: Promise<void> | undefined
  private stopped = false
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly p: JobServiceParameters) {
    this.events.setMaxListeners(0)
  }

  /** Store a new job (queued) and start proving it. */
  async create({ owner, modelId, input }: { owner: string; modelId: string; input: Record<string, unknown> }): Promise<JobRecord> {
    const now = Date.now()
    const job: JobRecord = { id: randomUUID(), owner, kind: 'proven-inference', modelId, state: 'queued', input: JSON.stringify(input), result: null, error: null, txHash: null, createdAt: now, updatedAt: now }
    await this.p.store.createJob(job)
    this.p.metrics.jobs.inc({ kind: job.kind, state: 'queued' })
    this.track(this.prove(job.id))
    return job
  }

  /** Resume unfinished work after a (re)start and start the outbox pump. */
  async start(): Promise<void> {
    for (const job of await this.p.store.listJobs(['queued', 'proving'])) if (job.kind === 'proven-inference') this.track(this.prove(job.id))
    this.schedule(0)
  }

  /** Stop the pump and wait for in-flight steps. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await Promise.allSettled([...this.running, this.pumping])
  }

  /** Resolve with the job once it reaches one of `states` (or a final state). */
  async waitFor(id: string, states: JobState[], timeoutMs = 120_000): Promise<JobRecord> {
    const wanted = new Set<JobState>([...states, ...finalJobStates])
    return new Promise<JobRecord>((resolve, reject) => {
      const check = async (): Promise<void> => {
        const job = await this.p.store.getJob(id)
        if (!job) return reject(new NotFoundError('job', id))
        if (wanted.has(job.state)) {
          cleanup()
          resolve(job)
        }
      }
      const onEvent = (jobId: string): void => {
        if (jobId === id) void check().catch(reject)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new GatewayError('JOB_WAIT_TIMEOUT', { shortMessage: `job ${id} did not reach ${states.join('/')} in time` }))
      }, timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        this.events.off('job', onEvent)
      }
      this.events.on('job', onEvent)
      void check().catch(reject)
    })
  }

  /** Resolve with the outbox entry once it has failed at least `attempts` times (tests, diagnostics). */
  async waitForOutboxAttempts(id: string, attempts: number, timeoutMs = 120_000): Promise<OutboxRecord> {
    return new Promise<OutboxRecord>((resolve, reject) => {
      const check = async (): Promise<void> => {
        const e = await this.p.store.getOutbox(id)
        if (e && e.attempts >= attempts && e.lastError && e.lockedUntil === null) {
          cleanup()
          resolve(e)
        }
      }
      const onEvent = (entry: string): void => {
        if (entry === id) void check().catch(reject)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new GatewayError('OUTBOX_WAIT_TIMEOUT', { shortMessage: `outbox entry ${id} did not fail ${attempts} times in time` }))
      }, timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        this.events.off('outbox', onEvent)
      }
      this.events.on('outbox', onEvent)
      void check().catch(reject)
    })
  }

  /** Run one outbox pass now (also called by the timer); resolves when it is done. */
  pump(): Promise<void> {
    this.pumping ??= this.pass().finally(() => (this.pumping = undefined))
    return this.pumping
  }

  private track<T>(p: Promise<T>): void {
    const q = p.catch((e) => this.p.log.error({ err: e }, 'job step failed'))
    this.running.add(q)
    void q.finally(() => this.running.delete(q))
  }

  private async move(id: string, to: JobState, patch: { result?: string; error?: string; txHash?: string } = {}): Promise<boolean> {
    const ok = await this.p.store.transitionJob(id, jobTransitions[to], { state: to, ...patch }, Date.now())
    if (ok) {
      this.p.metrics.jobs.inc({ kind: 'proven-inference', state: to })
      this.events.emit('job', id)
    }
    return ok
  }

  private async prove(id: string): Promise<void> {
    if (this.stopped) return
    if (!(await this.move(id, 'proving'))) return
    const job = (await this.p.store.getJob(id))!
    const model = job.modelId ? await this.p.store.getModel(job.modelId) : null
    if (!model) {
      await this.move(id, 'failed', { error: JSON.stringify({ code: 'MODEL_NOT_FOUND', message: `model ${job.modelId} not found` }) })
      return
    }
    const input = JSON.parse(job.input) as { input: number[]; salt: string }
    let proved: ProvedResult
    try {
      proved = await this.p.prove({ spec: model.spec, input: input.input, salt: input.salt, modelId: model.id })
      this.p.metrics.proofs.inc({ result: 'ok' })
    } catch (e) {
      this.p.metrics.proofs.inc({ result: 'error' })
      const err = e as { code?: string; shortMessage?: string; message?: string }
      await this.move(id, 'failed', { error: JSON.stringify({ code: err.code ?? 'PROVING_FAILED', message: err.shortMessage ?? 'proving failed' }) })
      if (!err.code) this.p.log.error({ err: e, job: id }, 'proving failed')
      return
    }
    const submission: InferenceSubmission = { circuit: proved.circuit, modelCommitment: proved.modelCommitment, proof: proved.proof, publicSignals: proved.publicSignals }
    const now = Date.now()
    const outbox: OutboxRecord = {
      id: `submit:${id}`,
      jobId: id,
      kind: 'submit-inference',
      payload: JSON.stringify(submission),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: null,
      result: null,
      createdAt: now,
      updatedAt: now,
    }
    if (await this.p.store.transitionJobWithOutbox(id, ['proving'], { state: 'proved', result: JSON.stringify(proved) }, outbox, now)) {
      this.p.metrics.jobs.inc({ kind: 'proven-inference', state: 'proved' })
      this.events.emit('job', id)
      void this.pump()
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      void this.pump().finally(() => this.schedule(this.p.outboxIntervalMs))
    }, ms)
    this.timer.unref()
  }

  private async pass(): Promise<void> {
    if (this.stopped) return
    const entries = await this.p.store.claimOutbox(Date.now(), 16, OUTBOX_LEASE_MS)
    await Promise.all(entries.map((e) => this.withHeartbeat(e, () => this.submit(e))))
  }

  /** Renew `entry`'s lease while `work` runs. */
  private async withHeartbeat(entry: OutboxRecord, work: () => Promise<void>): Promise<void> {
    const beat = setInterval(() => {
      const now = Date.now()
      void this.p.store.extendOutboxLease(entry.id, now + OUTBOX_LEASE_MS, now).catch((e: unknown) => this.p.log.warn({ err: e, entry: entry.id }, 'outbox lease renewal failed'))
    }, OUTBOX_HEARTBEAT_MS)
    beat.unref()
    try {
      await work()
    } finally {
      clearInterval(beat)
    }
  }

  private async submit(entry: OutboxRecord): Promise<void> {
    const chain = this.p.chain()
    const retry = async (error: string): Promise<void> => {
      const backoff = Math.min(MAX_BACKOFF_MS, this.p.outboxIntervalMs * 2 ** Math.min(entry.attempts - 1, 16))
      await this.p.store.retryOutbox(entry.id, error, Date.now() + backoff, Date.now())
      this.events.emit('outbox', entry.id)
    }
    if (!chain) return retry('no chain configured')
    const submission = JSON.parse(entry.payload) as InferenceSubmission
    try {
      const job = await this.p.store.getJob(entry.jobId)
      let txHash = job?.txHash as `0x${string}` | null
      if (!txHash) {
        const already = await chain.findRecorded(submission)
        if (already) return this.confirmed(entry, already)
        txHash = (await chain.submit(submission)).txHash
        await this.move(entry.jobId, 'submitted', { txHash })
      }
      await this.confirmed(entry, await chain.confirm(txHash))
    } catch (e) {
      const code = (e as { code?: string }).code
      if (code === 'CHAIN_PROOF_ALREADY_USED') {
        const rec = await chain.findRecorded(submission).catch(() => null)
        if (rec) return this.confirmed(entry, rec)
      }
      if (code && PERMANENT.has(code)) {
        await this.p.store.finishOutbox(entry.id, JSON.stringify({ error: code }), Date.now())
        await this.move(entry.jobId, 'failed', { error: JSON.stringify({ code, message: (e as { shortMessage?: string }).shortMessage ?? code }) })
        return
      }
      this.p.log.warn({ code, job: entry.jobId, attempts: entry.attempts, error: ((e as { shortMessage?: string }).shortMessage ?? String(e)).slice(0, 200) }, 'chain submission failed; will retry')
      await retry((e as { shortMessage?: string }).shortMessage ?? (e as Error).message ?? String(e))
    }
  }

  private async confirmed(entry: OutboxRecord, receipt: { txHash: `0x${string}`; blockNumber: string; chainId: number; registry: `0x${string}` }): Promise<void> {
    const job = await this.p.store.getJob(entry.jobId)
    const result = { ...(job?.result ? (JSON.parse(job.result) as object) : {}), receipt }
    await this.p.store.finishOutbox(entry.id, JSON.stringify(receipt), Date.now())
    await this.move(entry.jobId, 'confirmed', { result: JSON.stringify(result), txHash: receipt.txHash })
  }
}
