/**
 * @module client/krain-client
 * The agent's SDK. Keys stay local: for an encrypted inference the client plans with the gateway,
 * makes CKKS keys, uploads only the evaluation keys (once per plan), encrypts, calls, decrypts —
 * in one call. Proven inferences are jobs; `waitForJob` long-polls their status. CKKS (node-seal's
 * WebAssembly) is loaded on the first encrypted inference only, so the class is light to import, in
 * Node and in a browser bundle (`@krain/client/browser`).
 */
import type { CkksClient, InferencePlan } from '@krain/he/ckks'
import type { Model } from '@krain/models'
import type { LocalAccount } from 'viem/accounts'
import type { JobView, Receipt, ReceiptResponse } from './schemas/jobs.js'
import type { BatchCircuitView, CircuitStatusSchema, ModelInfo as ModelInfoSchema } from './schemas/models.js'
import { GatewayHttp } from './http.js'
import { bytesToBase64 } from './bytes.js'
import { readServerSentEvents } from './sse.js'
import { InvalidArgumentRangeError } from '@krain/core'

/** A model as the gateway describes it (never its weights): shapes, HE plan summary, provability. */
export type ModelInfo = ModelInfoSchema
/** The circuit build of a model (`GET /v1/models/:id/circuit`). */
export type CircuitStatus = CircuitStatusSchema
/** Parameters of {@link KrainClient.registerModel}: a model (JSON) or the bytes of an `.onnx` file. */
export type RegisterModelParameters = { name: string; calibration?: number[][]; mode?: 'committed' | 'public' } & ({ model: Model; onnx?: undefined } | { onnx: Uint8Array; model?: undefined })
/** Receipt of a confirmed proven inference (`ReceiptResponse` of the gateway's schema, with its hex fields typed as hex). */
export type ProvenInferenceReceipt = Omit<ReceiptResponse, 'receipt'> & { receipt: Receipt & { txHash: `0x${string}`; registry: `0x${string}` } }
/** A job as returned by the gateway (`JobView` of its schema). */
export type JobInfo = JobView
/** One event of {@link KrainClient.jobEvents}: the job after a change of its state (or build phase). */
export type JobEvent = JobView & { kind: string; phase: string | null }

/** Every row must have the model's input width (checked before any key is made or uploaded). */
function assertRowWidth(rows: number[][], inputs: number): void {
  const bad = rows.findIndex((r) => !Array.isArray(r) || r.length !== inputs)
  if (bad >= 0) throw new InvalidArgumentRangeError('rows', `"rows[${bad}]" expected ${inputs} features (the model's input width), got ${Array.isArray(rows[bad]) ? rows[bad]!.length : typeof rows[bad]}`)
}

/** Parameters of {@link KrainClient}. */
export type KrainClientParameters = {
  url: string
  /** Wallet that signs in (a viem local account, or `eip1193Account` of a browser wallet). */
  account?: LocalAccount
  /** A session token obtained elsewhere (e.g. pasted into the dashboard), instead of `account`. */
  token?: string
  /** Other instances of the same deployment (one shared store): requests fail over to them (see `GatewayHttp`). */
  baseUrls?: string[]
  fetch?: typeof fetch
}

type Session = { plan: InferencePlan; client: CkksClient; keyId: string }

/**
 * An agent's connection to a gateway.
 * @example
 * ```ts
 * const krain = new KrainClient({ url: 'http://127.0.0.1:8787', account: privateKeyToAccount(key) })
 * const { scores } = await krain.inferEncrypted({ modelId, rows })
 * ```
 */
export class KrainClient implements Disposable {
  readonly http: GatewayHttp
  private readonly sessions = new Map<string, Promise<Session>>()

  constructor({ url, account, token, baseUrls, fetch: f }: KrainClientParameters) {
    this.http = new GatewayHttp({ url, ...(account ? { account } : {}), ...(token ? { token } : {}), ...(baseUrls ? { baseUrls } : {}), ...(f ? { fetch: f } : {}) })
  }

  /** Gateway health. */
  health(): Promise<{ status: string; store: string; chain: { chainId: number; registry: string; rpcUrl?: string } | null }> {
    return this.http.request('GET', '/healthz', { auth: false })
  }

  /**
   * Register a model (weights go to the gateway, which computes the commitment): a `@krain/models`
   * model, or the bytes of an `.onnx` file. Calibration rows fix the input ranges of the CKKS plan
   * (needed for relu/sigmoid/tanh) and of the quantisation; asking for a `mode` asks for proving.
   * @returns the model with its layers, parameter count, HE plan summary and provability
   */
  registerModel({ name, model, onnx, calibration, mode }: RegisterModelParameters): Promise<ModelInfo> {
    const body = { name, ...(model ? { model } : {}), ...(onnx ? { onnx: bytesToBase64(onnx) } : {}), ...(calibration ? { calibration } : {}), ...(mode ? { mode } : {}) }
    return this.http.request('POST', '/v1/models', { body })
  }

  /** The circuit build of a model with a generated circuit. */
  circuit(modelId: string): Promise<CircuitStatus> {
    return this.http.request('GET', `/v1/models/${encodeURIComponent(modelId)}/circuit`)
  }

  /**
   * Follow a model's circuit build until it is built (`proved`: no chain; `confirmed`: verifier
   * deployed and model registered) or failed.
   * @param p - `onProgress` sees each new phase; `pollMs` (default 1000); `timeoutMs` (default 10 min)
   */
  async waitForCircuit(modelId: string, { onProgress, pollMs = 1000, timeoutMs = 10 * 60_000 }: { onProgress?: (s: CircuitStatus) => void; pollMs?: number; timeoutMs?: number } = {}): Promise<CircuitStatus> {
    const end = Date.now() + timeoutMs
    let last = ''
    for (;;) {
      const s = await this.circuit(modelId)
      const key = `${s.state}:${s.phase}:${s.message}`
      if (key !== last) {
        last = key
        onProgress?.(s)
      }
      if (s.state === 'confirmed' || s.state === 'failed' || (s.state === 'proved' && s.phase === 'done') || Date.now() > end) return s
      await new Promise((r) => setTimeout(r, pollMs))
    }
  }

  /** List models. */
  models(): Promise<ModelInfo[]> {
    return this.http.request('GET', '/v1/models')
  }

  /**
   * Encrypted inference in one call: keys are made and kept here (the secret key never leaves),
   * evaluation keys are uploaded once per model and batch size, rows are encrypted, evaluated by
   * the gateway on ciphertexts, and decrypted here.
   * @param p - model id, feature rows, optional `onProgress`
   * @returns the decrypted scores per row (logits), and the plan's error bound
   */
  async inferEncrypted({ modelId, rows, inputBound, onProgress }: { modelId: string; rows: number[][]; inputBound?: number; onProgress?: (step: string) => void }): Promise<{ scores: number[][]; errorBound: number }> {
    if (!Array.isArray(rows) || rows.length === 0) throw new RangeError('"rows" expected a non-empty array of feature rows')
    const planParams = { batchSize: rows.length, ...(inputBound !== undefined ? { inputBound } : {}) }
    const cacheKey = `${modelId}:${JSON.stringify(planParams)}`
    let pending = this.sessions.get(cacheKey)
    if (!pending) {
      pending = (async () => {
        onProgress?.('planning')
        const plan = await this.http.request<InferencePlan>('POST', `/v1/models/${encodeURIComponent(modelId)}/he/plan`, { body: planParams })
        assertRowWidth(rows, plan.inputs) // before key generation and upload: a wrong width costs nothing
        onProgress?.('generating keys')
        const { createCkksClient } = await import('@krain/he/ckks')
        const client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
        onProgress?.('uploading evaluation keys')
        const { keyId } = await this.http.request<{ keyId: string }>('POST', '/v1/he/keys', { bytes: client.exportEvaluationKeys() })
        return { plan, client, keyId }
      })()
      this.sessions.set(cacheKey, pending)
      pending.catch(() => this.sessions.delete(cacheKey))
    }
    const s = await pending
    assertRowWidth(rows, s.plan.inputs)
    onProgress?.('encrypting')
    const { encryptBatch, decryptBatch } = await import('@krain/he/ckks')
    const ciphertexts = encryptBatch({ client: s.client, plan: s.plan, rows }).map(bytesToBase64)
    onProgress?.('evaluating on the gateway')
    const out = await this.http.request<{ ciphertexts: string[] }>('POST', `/v1/models/${encodeURIComponent(modelId)}/infer/encrypted`, { body: { keyId: s.keyId, plan: planParams, ciphertexts } })
    onProgress?.('decrypting')
    return { scores: decryptBatch({ client: s.client, plan: s.plan, ciphertexts: out.ciphertexts, count: rows.length }), errorBound: s.plan.errorBound }
  }

  /** Request a proven inference of `input` (a job). */
  prove({ modelId, input, salt }: { modelId: string; input: number[]; salt?: bigint }): Promise<JobInfo> {
    return this.http.request('POST', `/v1/models/${encodeURIComponent(modelId)}/prove`, { body: { input, ...(salt !== undefined ? { salt: String(salt) } : {}) } })
  }

  /** A job's status. */
  job(id: string): Promise<JobInfo> {
    return this.http.request('GET', `/v1/jobs/${encodeURIComponent(id)}`)
  }

  /**
   * A job's changes as they happen (`GET /v1/jobs/:id/events`, Server-Sent Events): the job as it
   * is, then once per change of its state (or of a circuit build's phase), ending after `confirmed`
   * or `failed`. Breaking out of the loop (or aborting `signal`) closes the stream.
   * @throws KrainHttpError (`NOT_FOUND`, `POLICY_DENIED`, …) before the first event
   * @example
   * ```ts
   * for await (const job of krain.jobEvents(id)) console.log(job.state, job.phase)
   * ```
   */
  async *jobEvents(id: string, { signal }: { signal?: AbortSignal } = {}): AsyncGenerator<JobEvent> {
    const res = await this.http.openStream('GET', `/v1/jobs/${encodeURIComponent(id)}/events`, { accept: 'text/event-stream', ...(signal ? { signal } : {}) })
    if (!res.body) return
    for await (const e of readServerSentEvents(res.body)) if (e.event === 'job') yield JSON.parse(e.data) as JobEvent
  }

  /**
   * Wait until the job is confirmed or failed (or `proved`, with `until: 'proved'`): through its
   * event stream ({@link jobEvents}) when the gateway has one, else (an older gateway, or a stream
   * cut short) by server long-polls.
   */
  async waitForJob(id: string, { until = 'confirmed', timeoutMs = 10 * 60_000, onProgress }: { until?: 'proved' | 'confirmed'; timeoutMs?: number; onProgress?: (state: string) => void } = {}): Promise<JobInfo> {
    const end = Date.now() + timeoutMs
    let last = ''
    const isDone = (job: JobInfo): boolean => job.state === 'failed' || job.state === 'confirmed' || (until === 'proved' && ['proved', 'submitted'].includes(job.state))
    const streamed = await this.waitByEvents(id, { timeoutMs, isDone, onState: (s) => s !== last && onProgress?.((last = s)) })
    if (streamed && (isDone(streamed) || Date.now() > end)) return streamed
    for (;;) {
      const job = await this.http.request<JobInfo>('GET', `/v1/jobs/${encodeURIComponent(id)}`, { query: { waitMs: 15_000, until } })
      if (job.state !== last) onProgress?.((last = job.state))
      const done = job.state === 'failed' || job.state === 'confirmed' || (until === 'proved' && ['proved', 'submitted'].includes(job.state))
      if (done || Date.now() > end) return job
    }
  }

  /** Follow a job's event stream until `isDone` or `timeoutMs`; the last job seen, or null when the gateway has no stream. */
  private async waitByEvents(id: string, { timeoutMs, isDone, onState }: { timeoutMs: number; isDone: (job: JobInfo) => boolean; onState: (state: string) => void }): Promise<JobInfo | null> {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    let seen: JobInfo | null = null
    try {
      for await (const job of this.jobEvents(id, { signal: abort.signal })) {
        seen = job
        onState(job.state)
        if (isDone(job)) return job
      }
      return seen
    } catch {
      return seen // timed out, no stream here (an older gateway), or it broke: the long-poll takes over (and reports errors)
    } finally {
      clearTimeout(timer)
      abort.abort()
    }
  }

  /**
   * Prove k rows of a model in one proof, recorded by one registry transaction (1 ≤ k ≤ 31; the
   * model needs a generated circuit). The job's `batch` shows the batch circuit's build phase, then
   * each row's output, the proof and, once confirmed, the receipt and gas (`verifyBatchReceipt`
   * checks it independently).
   * @returns the queued job (follow it with `waitForJob`)
   */
  proveBatch({ modelId, inputs, salts }: { modelId: string; inputs: number[][]; salts?: bigint[] }): Promise<JobInfo> {
    const body = { inputs, ...(salts ? { salts: salts.map(String) } : {}) }
    return this.http.request('POST', `/v1/models/${encodeURIComponent(modelId)}/prove-batch`, { body })
  }

  /** A model's k-row batch circuit once a batch job built it: id, constraints and its (public) verification key, for `verifyBatchReceipt`. */
  batchCircuit(modelId: string, k: number): Promise<BatchCircuitView> {
    return this.http.request('GET', `/v1/models/${encodeURIComponent(modelId)}/batch-circuit/${k}`)
  }

  /** Receipt of a confirmed job. */
  receipt(id: string): Promise<ProvenInferenceReceipt> {
    return this.http.request('GET', `/v1/jobs/${encodeURIComponent(id)}/receipt`)
  }

  /** Free the local CKKS clients (WASM memory). */
  [Symbol.dispose](): void {
    for (const p of this.sessions.values()) void p.then((s) => s.client.dispose(), () => undefined)
    this.sessions.clear()
  }
}
