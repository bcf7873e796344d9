/**
 * @module zk/circuit-builds
 * The circuit build of a registered model, as a stored job (kind `circuit-build`, id
 * `build-<modelId>`): queued → proving (compile, setup: `@krain/zk` `buildCircuit` in its own
 * worker thread, progress reported) → proved (built; the circuit is cached by content, so a shape
 * compiles once per machine) → confirmed (its verifier deployed by CREATE2 and the model
 * registered with it on the chain) or failed. Without a chain a build stays `proved`, and the
 * model is registered with its verifier at its first submission. A restart resumes unfinished
 * builds and reloads finished ones from the cache.
 */
import { readFileSync } from 'node:fs'
import type { FastifyBaseLogger } from 'fastify'
import { buildCircuit, loadCircuit, type BuildProgress } from '@krain/zk'
import type { ChainAdapter } from '../chain/adapter.js'
import type { JobQueue } from '../jobs/queue.js'
import { quantizedOfRecord } from '../models/prepare-model.js'
import type { CircuitBuildResult } from '../store/rows.js'
import type { CircuitBuildJob, ModelRecord, Store } from '../store/types.js'
import { circuitOfModel, rememberCircuit } from './generated-circuits.js'

/** The state of a model's circuit build, as `GET /v1/models/:id/circuit` shows it. */
export type CircuitStatus = {
  jobId: string
  state: string
  phase: string | null
  message: string | null
  circuitId: string | null
  constraints: number | null
  seconds: { compile: number; setup: number } | null
  verifier: string | null
  txHash: string | null
  devOnly: boolean
  /** The verification key (public), once built: anyone can verify proofs off-chain with it. */
  vkey: Record<string, unknown> | null
  error: { code: string; message: string } | null
}

/** The job id of a model's circuit build. */
export const buildJobId = (modelId: string): string => `build-${modelId}`

/**
 * Make the built circuit of `modelId` known in this process (from the circuit cache), if its build
 * finished (in this process or any other sharing the store and the cache).
 * @returns whether the circuit is known here now
 * @throws what `loadCircuit` throws when the build is recorded but its files are missing or altered
 */
export async function loadBuiltCircuit(store: Store, modelId: string, cacheDir?: string): Promise<boolean> {
  if (circuitOfModel(modelId)) return true
  const job = await store.getJob(buildJobId(modelId))
  const circuitId = job?.kind === 'circuit-build' ? job.result?.circuitId : undefined
  if (!circuitId || (job?.state !== 'proved' && job?.state !== 'confirmed')) return false
  const model = await store.getModel(modelId)
  const quantized = model ? quantizedOfRecord(model) : null
  if (!model?.commitment || !quantized) return false
  rememberCircuit({ modelId, modelCommitment: model.commitment, quantized, circuit: loadCircuit({ id: circuitId, ...(cacheDir ? { cacheDir } : {}) }) })
  return true
}

/** Parameters of {@link CircuitBuilds}. */
export type CircuitBuildsParameters = {
  store: Store
  chain: () => ChainAdapter | null
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
  cacheDir?: string
  /**
   * The job queue, for a gateway whose builds run elsewhere: with a pg-boss queue and
   * `jobs: 'external'`, builds are enqueued on `krain.build` for `krain worker --queues build`;
   * otherwise they run in this process.
   */
  queue?: JobQueue
  /** `KRAIN_JOBS` of this process (`external`: builds go to the workers). */
  jobs?: string
}

/** Circuit builds of one gateway instance (or of one `krain worker --queues build`). */
export class CircuitBuilds {
  private readonly progress = new Map<string, BuildProgress>()
  private readonly running = new Set<Promise<void>>()
  private stopped = false

  constructor(private readonly p: CircuitBuildsParameters) {}

  /** Whether builds go to the `krain.build` queue (an external-jobs gateway) rather than run here. */
  get queued(): boolean {
    return this.p.queue?.kind === 'pg-boss' && this.p.jobs === 'external'
  }

  /** Store the build job of a freshly registered model and start it (here, or on the build queue). */
  async start(model: ModelRecord): Promise<CircuitBuildJob> {
    const now = Date.now()
    const job: CircuitBuildJob = { id: buildJobId(model.id), owner: model.owner, kind: 'circuit-build', modelId: model.id, state: 'queued', input: { modelId: model.id }, result: null, error: null, txHash: null, createdAt: now, updatedAt: now }
    await this.p.store.createJob(job)
    if (this.queued) await this.enqueue(job.id)
    else this.track(this.run(job.id, model))
    return job
  }

  /**
   * One delivery of the `build` queue (in a worker): build the job's circuit, or, when a killed
   * worker had built it already, only register its verifier. A store error is thrown (the queue
   * retries the delivery).
   */
  async build(jobId: string): Promise<void> {
    if (this.stopped) return
    const job = await this.p.store.getJob(jobId)
    if (job?.kind !== 'circuit-build' || !job.modelId) return
    const model = await this.p.store.getModel(job.modelId)
    if (!model) {
      await this.p.store.transitionJob(jobId, ['queued', 'proving'], { state: 'failed', error: { code: 'MODEL_NOT_FOUND', message: `model ${job.modelId} not found` } }, Date.now())
      return
    }
    if (job.state === 'queued' || job.state === 'proving') return this.run(jobId, model)
    if (job.state === 'proved' && job.result && (await loadBuiltCircuit(this.p.store, model.id, this.p.cacheDir).catch(() => false))) await this.registerOnChain(jobId, model, job.result)
  }

  /** Give up on a build whose deliveries all failed (its workers kept dying): `failed`, unless it got further. */
  async giveUp(jobId: string, reason: string): Promise<boolean> {
    return this.p.store.transitionJob(jobId, ['queued', 'proving'], { state: 'failed', error: { code: 'JOB_RETRIES_EXHAUSTED', message: reason } }, Date.now())
  }

  private async enqueue(jobId: string): Promise<void> {
    try {
      await this.p.queue!.enqueueBuild(jobId)
    } catch (e) {
      this.p.log.error({ err: e, job: jobId }, 'enqueueing a circuit build failed')
      await this.p.store.transitionJob(jobId, ['queued'], { state: 'failed', error: { code: 'QUEUE_UNAVAILABLE', message: 'the job queue is unavailable' } }, Date.now())
    }
  }

  /** After a (re)start: resume unfinished builds, reload finished ones from the cache. */
  async resume(): Promise<void> {
    for (const job of await this.p.store.listJobs(['queued', 'proving', 'proved', 'confirmed'])) {
      if (job.kind !== 'circuit-build' || !job.modelId) continue
      const model = await this.p.store.getModel(job.modelId)
      if (!model) continue
      if (job.state === 'queued' || job.state === 'proving') {
        // deduplicated by the queue: a build still queued or running is not delivered twice
        if (this.queued) await this.enqueue(job.id)
        else this.track(this.run(job.id, model))
      } else if (!circuitOfModel(model.id)) {
        const q = quantizedOfRecord(model)
        const id = job.result?.circuitId
        if (q && id) {
          try {
            rememberCircuit({ modelId: model.id, modelCommitment: model.commitment!, quantized: q, circuit: loadCircuit({ id, ...(this.p.cacheDir ? { cacheDir: this.p.cacheDir } : {}) }) })
          } catch (e) {
            if (this.queued) {
              // built by a worker: its cache is the workers' (a shared volume), loaded when needed
              this.p.log.warn({ err: { message: (e as Error).message }, model: model.id }, 'built circuit not in this instance\'s cache')
              continue
            }
            this.p.log.warn({ err: e, model: model.id }, 'built circuit missing from the cache: rebuilding')
            this.track(this.run(job.id, model, true))
          }
        }
      }
    }
  }

  /** Wait for in-flight builds (the build worker finishes its step). */
  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled([...this.running])
  }

  /** The build status of a model, or null when it has no build job. */
  async status(modelId: string): Promise<CircuitStatus | null> {
    const job = await this.p.store.getJob(buildJobId(modelId))
    if (job?.kind !== 'circuit-build') return null
    const r: Partial<CircuitBuildResult> = job.result ?? {}
    const live = this.progress.get(job.id)
    // built by a worker: the verification key comes from the shared circuit cache
    if (!circuitOfModel(modelId)) await loadBuiltCircuit(this.p.store, modelId, this.p.cacheDir).catch(() => false)
    const g = circuitOfModel(modelId)
    return {
      jobId: job.id,
      state: job.state,
      phase: live?.phase ?? r.phase ?? null,
      message: live?.message ?? r.message ?? null,
      circuitId: r.circuitId || null,
      constraints: r.circuitId ? (r.constraints ?? null) : null,
      seconds: r.circuitId ? (r.seconds ?? null) : null,
      verifier: r.verifier ?? null,
      txHash: job.txHash,
      devOnly: true,
      vkey: g?.circuit.vkey ?? null,
      error: job.error,
    }
  }

  /**
   * Keep a build's progress in memory (this instance's status) and, on a change of phase, in the
   * stored job (a compare-and-set `proving → proving`, announced by the store), so that other
   * instances and event streams see it.
   */
  private report(id: string, p: BuildProgress, rebuild: boolean): void {
    const before = this.progress.get(id)?.phase
    this.progress.set(id, p)
    if (rebuild || before === p.phase || p.phase === 'done') return
    // the stored result's circuit fields stay empty until `proved` (the row schema wants them present)
    const partial: CircuitBuildResult = { circuitId: '', constraints: 0, seconds: { compile: 0, setup: 0 }, phase: p.phase, message: p.message }
    const w = this.p.store.transitionJob(id, ['proving'], { state: 'proving', result: partial }, Date.now()).then(
      () => undefined,
      (e: unknown) => this.p.log.warn({ err: { message: (e as Error).message }, job: id }, 'recording build progress failed'),
    )
    this.track(w)
  }

  private track(p: Promise<void>): void {
    const q = p.catch((e) => this.p.log.error({ err: e }, 'circuit build step failed'))
    this.running.add(q)
    void q.finally(() => this.running.delete(q))
  }

  private async run(id: string, model: ModelRecord, rebuild = false): Promise<void> {
    if (this.stopped) return
    const store = this.p.store
    if (!rebuild && !(await store.transitionJob(id, ['queued', 'proving'], { state: 'proving' }, Date.now()))) return
    const q = quantizedOfRecord(model)
    let result: CircuitBuildResult
    try {
      if (!q) throw Object.assign(new Error('the model has no quantisation for a generated circuit'), { code: 'MODEL_NOT_PROVABLE', shortMessage: 'the model has no quantisation for a generated circuit' })
      const circuit = await buildCircuit({ quantized: q, ...(this.p.cacheDir ? { cacheDir: this.p.cacheDir } : {}), onProgress: (p) => this.report(id, p, rebuild) })
      rememberCircuit({ modelId: model.id, modelCommitment: model.commitment!, quantized: q, circuit })
      result = { circuitId: circuit.id, constraints: circuit.constraints, seconds: circuit.manifest.seconds, cached: circuit.cached, phase: 'done', message: `${circuit.id}: ${circuit.constraints} constraints` }
      this.progress.delete(id)
      if (!rebuild && !(await store.transitionJob(id, ['proving'], { state: 'proved', result }, Date.now()))) return
    } catch (e) {
      this.progress.delete(id)
      const err = e as { code?: string; shortMessage?: string; message?: string }
      if (!err.code) this.p.log.error({ err: e, job: id }, 'circuit build failed')
      await store.transitionJob(id, ['queued', 'proving'], { state: 'failed', error: { code: err.code ?? 'ZK_CIRCUIT_BUILD_FAILED', message: err.shortMessage ?? 'the circuit build failed' } }, Date.now())
      return
    }
    await this.registerOnChain(id, model, result)
  }

  /** Deploy the verifier and register the model (when a chain is connected). */
  private async registerOnChain(id: string, model: ModelRecord, result: CircuitBuildResult): Promise<void> {
    const chain = this.p.chain()
    const g = circuitOfModel(model.id)
    if (!chain?.registerModelVerifier || !g) return
    try {
      this.progress.set(id, { phase: 'export', message: 'deploying the verifier and registering the model on the chain' })
      const r = await chain.registerModelVerifier({ modelCommitment: model.commitment!, circuit: g.circuit.id, solidity: readFileSync(g.circuit.verifierPath, 'utf8') })
      await this.p.store.transitionJob(id, ['proved'], { state: 'confirmed', result: { ...result, verifier: r.verifier, chainId: chain.chainId }, ...(r.txHash ? { txHash: r.txHash } : {}) }, Date.now())
    } catch (e) {
      // The circuit is built and proving works; the model is registered at its first submission.
      this.p.log.warn({ err: { code: (e as { code?: string }).code, message: (e as { shortMessage?: string }).shortMessage ?? String(e) }, model: model.id }, 'verifier registration failed; will register at the first submission')
    } finally {
      this.progress.delete(id)
    }
  }
}
