/**
 * @module worker/run-worker
 * A `krain worker` process: connects to the PostgreSQL store and pg-boss queues of `DATABASE_URL`,
 * and works the named queues with the gateway's own code: `prove` with `proveSpec` (`@krain/zk`'s
 * prover threads, `concurrency` of them), `chain` with the outbox relay and the chain adapter of
 * the same configuration (`KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`, `KRAIN_REGISTRY_ADDRESS`,
 * `KRAIN_VERIFIERS`). Every job transition is announced by the store (`NOTIFY`), so the gateways'
 * long-polls answer at once. On start it hands unfinished jobs to the queues again (deduplicated); on
 * `stop()` (SIGTERM) it takes no new work, lets the proofs in flight finish, then closes the
 * queue, the prover threads, the chain client and the store.
 */
import { closeProvers, setProverPoolSize } from '@krain/zk'
import type { ChainAdapter } from '../chain/adapter.js'
import { chainConfigOf, loadConfig, type Config } from '../config.js'
import { ConfigError } from '../errors.js'
import { JobRunner } from '../jobs/job-runner.js'
import { OutboxRelay } from '../jobs/outbox-relay.js'
import { PgBossQueue, queueSchemaOf } from '../jobs/pg-boss-queue.js'
import type { QueueName } from '../jobs/queue.js'
import { openStore } from '../store/sql-store.js'
import { proveSpec } from '../zk/prover.js'
import { CircuitBuilds } from '../zk/circuit-builds.js'
import { loadBuiltCircuit, loadCircuitOfSubmission } from './circuits.js'
import { queueHandlers } from './handlers.js'

/** The queues a worker can work. */
export const workerQueues: readonly QueueName[] = ['prove', 'chain', 'build']

/** The queues a worker works unless told otherwise. */
export const defaultWorkerQueues: readonly QueueName[] = ['prove', 'chain']

/** A log line writer (JSON lines on stderr by default). */
export type WorkerLog = {
  info: (obj: unknown, msg?: string) => void
  warn: (obj: unknown, msg?: string) => void
  error: (obj: unknown, msg?: string) => void
}

/** JSON lines on stderr, at `level` and above. */
export function stderrLog(level: Config['logLevel']): WorkerLog {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
  const min = level === 'silent' ? Infinity : order.indexOf(level)
  const line = (lvl: string) => (obj: unknown, msg?: string) => {
    if (order.indexOf(lvl) < min) return
    const fields = typeof obj === 'string' ? { msg: obj } : { ...(obj as object), msg }
    const err = (fields as { err?: unknown }).err
    if (err instanceof Error) (fields as { err?: unknown }).err = { message: err.message, code: (err as { code?: string }).code, stack: err.stack }
    process.stderr.write(`${JSON.stringify({ level: lvl, time: Date.now(), pid: process.pid, name: 'krain-worker', ...fields })}\n`)
  }
  return { info: line('info'), warn: line('warn'), error: line('error') }
}

/** Parameters of {@link startWorker}. */
export type StartWorkerParameters = {
  /** Queues to work (default `prove` and `chain`). */
  queues?: readonly QueueName[]
  /** Deliveries of each queue at once, and prover threads (default 1). */
  concurrency?: number
  /** Environment to read the configuration from (default `process.env`). */
  env?: Record<string, string | undefined>
  log?: WorkerLog
}

/** A running worker. */
export type RunningWorker = { config: Config; queues: readonly QueueName[]; stop: () => Promise<void> }

/**
 * Start a worker.
 * @returns the running worker; `stop()` finishes the work in flight and closes everything
 * @throws {ConfigError} without a PostgreSQL `DATABASE_URL`, or without a chain for the `chain` queue
 * @example
 * ```ts
 * const w = await startWorker({ queues: ['prove'], concurrency: 2 })
 * process.once('SIGTERM', () => void w.stop())
 * ```
 */
export async function startWorker({ queues = defaultWorkerQueues, concurrency = 1, env = process.env, log: given }: StartWorkerParameters = {}): Promise<RunningWorker> {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ConfigError(`--concurrency: expected an integer in [1, 64], got ${concurrency}`)
  for (const q of queues) if (!workerQueues.includes(q)) throw new ConfigError(`--queues: unknown queue ${JSON.stringify(q)}`, `queues: ${workerQueues.join(', ')}`)
  const config = loadConfig(env)
  const log = given ?? stderrLog(config.logLevel)
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) throw new ConfigError('krain worker needs a PostgreSQL DATABASE_URL', 'workers take their jobs from the pg-boss queues in the same database as the gateways')
  const chainConfig = chainConfigOf(config)
  if (queues.includes('chain') && !chainConfig) throw new ConfigError('the chain queue needs a chain', 'set KRAIN_RPC_URL, KRAIN_PRIVATE_KEY and KRAIN_REGISTRY_ADDRESS (and KRAIN_VERIFIERS) as for the gateway')

  setProverPoolSize(concurrency)
  const store = await openStore(config.databaseUrl)
  const queue = new PgBossQueue({ databaseUrl: config.databaseUrl, schema: queueSchemaOf(config), proveTimeoutSeconds: config.proveTimeoutSeconds, ...(config.buildTimeoutSeconds !== undefined ? { buildTimeoutSeconds: config.buildTimeoutSeconds } : {}), ...(config.chainTimeoutSeconds !== undefined ? { chainTimeoutSeconds: config.chainTimeoutSeconds } : {}), retryLimit: config.queueRetryLimit, maintenanceSeconds: config.queueMaintenanceSeconds, pollingSeconds: 0.5, log })
  let chain: ChainAdapter | null = null
  // a build worker registers the verifier it built when it has a chain (else the first submission does)
  if ((queues.includes('chain') || queues.includes('build')) && chainConfig) {
    const { connectChainAdapter } = await import('../chain/krain-chain.js')
    chain = await connectChainAdapter(chainConfig)
  }
  const jobs = new JobRunner({
    store,
    // a generated circuit comes from the cache the gateway built it into
    prove: async (p) => {
      await loadBuiltCircuit(store, p.modelId)
      return proveSpec(p)
    },
    queue,
    log,
    onProved: (id) => queue.enqueueChain(`submit:${id}`),
  })
  const outbox = new OutboxRelay({ store, chain: () => chain, jobs, log, intervalMs: config.outboxIntervalMs })
  const builds = new CircuitBuilds({ store, chain: () => chain, log, queue, jobs: 'external' })
  try {
    await queue.start()
    await queue.work(queueHandlers({ jobs, outbox, builds, beforeChain: (id) => loadCircuitOfSubmission(store, id), log }), { queues: [...queues], concurrency })
    await jobs.start()
  } catch (e) {
    await queue.stop().catch(() => undefined)
    await chain?.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw e
  }
  log.info({ queues, concurrency }, 'krain worker ready')
  let stopping: Promise<void> | undefined
  return {
    config,
    queues,
    stop: () =>
      (stopping ??= (async () => {
        await jobs.stop()
        await builds.stop()
        await queue.stop()
        await outbox.stop()
        await closeProvers()
        await chain?.close()
        await store.close()
        log.info({}, 'krain worker stopped')
      })()),
  }
}
