/**
 * @module jobs/outbox-relay
 * Submits proved inferences to the chain from the stored outbox (the transactional outbox
 * pattern): entries are leased (so instances sharing a store never submit one twice at once),
 * retried with a capped exponential backoff while the chain is down, and a retry after a lost
 * response finds the record already on chain instead of submitting it again. A submission's
 * outcome moves its job through the {@link JobRunner} (`submitted`, `confirmed`, `failed`).
 *
 * Embedded, the relay's own periodic passes find due entries; on PostgreSQL each entry is a delivery
 * of the `chain` queue ({@link OutboxRelay.submitById}), retried by pg-boss with its backoff.
 */
import { EventEmitter } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import { GatewayError } from '../errors.js'
import type { ChainAdapter, ChainReceipt } from '../chain/adapter.js'
import type { OutboxRecord, Store } from '../store/types.js'
import type { JobRunner } from './job-runner.js'

/** Parameters of {@link OutboxRelay}. */
export type OutboxRelayParameters = {
  store: Store
  chain: () => ChainAdapter | null
  /** Moves the jobs of submitted entries. */
  jobs: Pick<JobRunner, 'move'>
  log: Pick<FastifyBaseLogger, 'error' | 'warn'>
  /** Milliseconds between passes; retries back off from it. */
  intervalMs: number
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

/** How one submission attempt ended. */
type SubmitOutcome = 'done' | 'retry' | 'failed'

/** A transaction hash as stored (the chain adapter wrote it). */
const asTxHash = (s: string): `0x${string}` => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(s)) throw new TypeError(`stored transaction hash is not 32 bytes of hex: ${JSON.stringify(s.slice(0, 20))}`)
  return `0x${s.slice(2)}`
}

/** The outbox relay of one gateway instance. */
export class OutboxRelay {
  /** Emits `('outbox', id)` after every stored change of an entry. */
  readonly events = new EventEmitter().setMaxListeners(0)
  private timer: NodeJS.Timeout | undefined
  private pumping: Promise<void> | undefined
  private stopped = false

  constructor(private readonly p: OutboxRelayParameters) {}

  /** Start the periodic passes (the first one now). */
  start(): void {
    this.schedule(0)
  }

  /** Stop the passes and wait for the one in flight. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.pumping
  }

  /** Run one pass now (also called by the timer); resolves when it is done. */
  pump(): Promise<void> {
    this.pumping ??= this.pass().finally(() => (this.pumping = undefined))
    return this.pumping
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      void this.pump().finally(() => this.schedule(this.p.intervalMs))
    }, ms)
    this.timer.unref()
  }

  private async pass(): Promise<void> {
    if (this.stopped) return
    const entries = await this.p.store.claimOutbox(Date.now(), 16, OUTBOX_LEASE_MS)
    await Promise.all(entries.map((e) => this.withHeartbeat(e, async () => void (await this.submit(e)))))
  }

  /**
   * Submit one entry now (a delivery of the `chain` queue): lease it, submit it (or find it already
   * recorded), record the outcome. Nothing to do for an entry that is done.
   * @throws {GatewayError} `OUTBOX_LEASED` while another process holds its lease, `CHAIN_SUBMISSION_RETRY`
   *   after a failure worth retrying (the queue retries with backoff)
   */
  async submitById(id: string): Promise<void> {
    const entry = await this.p.store.claimOutboxEntry(id, Date.now(), OUTBOX_LEASE_MS)
    if (!entry) {
      const seen = await this.p.store.getOutbox(id)
      if (!seen || seen.status !== 'pending') return
      throw new GatewayError('OUTBOX_LEASED', { shortMessage: `outbox entry ${id} is being submitted by another process` })
    }
    let outcome: SubmitOutcome = 'retry'
    await this.withHeartbeat(entry, async () => void (outcome = await this.submit(entry)))
    if (outcome === 'retry') throw new GatewayError('CHAIN_SUBMISSION_RETRY', { shortMessage: `submission of ${id} failed (attempt ${entry.attempts}); will retry` })
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

  private async submit(entry: OutboxRecord): Promise<SubmitOutcome> {
    const chain = this.p.chain()
    const retry = async (error: string): Promise<'retry'> => {
      const backoff = Math.min(MAX_BACKOFF_MS, this.p.intervalMs * 2 ** Math.min(entry.attempts - 1, 16))
      await this.p.store.retryOutbox(entry.id, error, Date.now() + backoff, Date.now())
      this.events.emit('outbox', entry.id)
      return 'retry'
    }
    if (!chain) return retry('no chain configured')
    const submission = entry.payload
    try {
      const job = await this.p.store.getJob(entry.jobId)
      let txHash = job?.txHash ? asTxHash(job.txHash) : null
      if (!txHash) {
        const already = await chain.findRecorded(submission)
        if (already) return this.confirmed(entry, already)
        txHash = (await chain.submit(submission)).txHash
        await this.p.jobs.move(entry.jobId, 'submitted', { txHash })
      }
      return await this.confirmed(entry, await chain.confirm(txHash))
    } catch (e) {
      const code = (e as { code?: string }).code
      if (code === 'CHAIN_PROOF_ALREADY_USED') {
        const rec = await chain.findRecorded(submission).catch(() => null)
        if (rec) return this.confirmed(entry, rec)
      }
      if (code && PERMANENT.has(code)) {
        await this.p.store.finishOutbox(entry.id, { error: code }, Date.now())
        this.events.emit('outbox', entry.id)
        await this.p.jobs.move(entry.jobId, 'failed', { error: { code, message: (e as { shortMessage?: string }).shortMessage ?? code } })
        return 'failed'
      }
      this.p.log.warn({ code, job: entry.jobId, attempts: entry.attempts, error: ((e as { shortMessage?: string }).shortMessage ?? String(e)).slice(0, 200) }, 'chain submission failed; will retry')
      return retry((e as { shortMessage?: string }).shortMessage ?? (e as Error).message ?? String(e))
    }
  }

  private async confirmed(entry: OutboxRecord, receipt: ChainReceipt): Promise<'done'> {
    const job = await this.p.store.getJob(entry.jobId)
    await this.p.store.finishOutbox(entry.id, receipt, Date.now())
    this.events.emit('outbox', entry.id)
    const proved = job?.kind === 'proven-inference' || job?.kind === 'proven-inference-batch' ? job.result : null
    await this.p.jobs.move(entry.jobId, 'confirmed', { ...(proved ? { result: { ...proved, receipt } } : {}), txHash: receipt.txHash })
    return 'done'
  }
}
