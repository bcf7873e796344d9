/**
 * @module jobs/pg-boss-queue
 * The {@link JobQueue} on PostgreSQL, through pg-boss (https://github.com/timgit/pg-boss): jobs
 * are rows fetched with `FOR UPDATE SKIP LOCKED`, so any number of gateways and `krain worker`
 * processes share the queues; a failed delivery is retried with exponential backoff
 * (`retryDelay·2^n`, jittered); a job whose worker died (kill -9) expires after its timeout and is
 * retried by pg-boss's maintenance; a job out of retries lands in the dead-letter queue
 * `krain.dead`, whose handler marks the stored job failed.
 *
 * A circuit build can run far longer than a proof, and how long is not known beforehand. Its queue
 * allows {@link BUILD_MAX_SECONDS} per delivery (pg-boss's own limit on the handler), and while a
 * worker builds it sends a heartbeat every third of the build timeout (pg-boss 10 has none of its
 * own): it moves the delivery's recorded start so that maintenance would expire it one timeout after
 * the last beat. A build of any length thus runs once, and one whose worker died (kill -9) is
 * redelivered within the timeout of its last heartbeat.
 *
 * Queue job ids are deterministic (a proof job's pg-boss id is the stored job's id; a chain
 * submission's is derived from its outbox id), so enqueueing the same work twice while it is queued
 * or running is a no-op. Exactly-once effects are the store's (see `jobs/queue.ts`).
 */
import { createHash } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import PgBoss from 'pg-boss'
import { emptyCounts, queueNames, type JobQueue, type QueueCounts, type QueueHandlers, type QueueJobState, type QueueName, type QueueStats } from './queue.js'

/** Parameters of {@link PgBossQueue}. */
export type PgBossQueueParameters = {
  /** The store's PostgreSQL URL. */
  databaseUrl: string
  /** Schema of pg-boss's tables (`KRAIN_QUEUE_SCHEMA`, default `pgboss`). */
  schema: string
  /** Seconds a proof may run before its job is taken as lost and retried. */
  proveTimeoutSeconds: number
  /** Seconds without a heartbeat after which a circuit build is taken as lost and retried (default `proveTimeoutSeconds`). */
  buildTimeoutSeconds?: number
  /** Seconds a chain submission may stay active before it is taken as lost and retried (default 300; a retry of a landed one is recognised). */
  chainTimeoutSeconds?: number
  /** Retries of a proof job after its first delivery. */
  retryLimit: number
  /** Seconds between maintenance passes (expiry of lost jobs, archiving). */
  maintenanceSeconds: number
  /** Seconds between fetches of an idle worker (pg-boss's minimum is 0.5). */
  pollingSeconds?: number
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>
}

/** Retries of a chain submission: 2 s, 4 s, … (about 2¼ hours in all), then the dead-letter queue. */
const CHAIN_RETRY_LIMIT = 12
/** Seconds a circuit build may run at most (compile and setup of the largest circuits). */
export const BUILD_MAX_SECONDS = 6 * 3600

/** Default seconds a chain submission may run (sending and waiting for its receipt). */
const CHAIN_TIMEOUT_SECONDS = 300

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A UUID naming `key` (SHA-256, in the UUID layout), for ids that are not UUIDs themselves. */
export function uuidOf(key: string): string {
  if (UUID.test(key)) return key.toLowerCase()
  const h = createHash('sha256').update(key).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

type Payload = { id: string; queue: QueueName }

/**
 * The pg-boss schema of a configuration: `queueSchema` when set, else `pgboss`, or
 * `<schema>_pgboss` when the store URL selects a schema (`options=-c search_path=<schema>`): a
 * deployment's queues sit beside its tables, and two in one database stay apart.
 * @example
 * ```ts
 * queueSchemaOf({ databaseUrl: 'postgres://h/db?options=-c%20search_path%3Dkrain' }) // 'krain_pgboss'
 * ```
 */
export function queueSchemaOf({ databaseUrl, queueSchema }: { databaseUrl: string; queueSchema?: string | undefined }): string {
  if (queueSchema) return queueSchema
  let options: string | null = null
  try {
    options = new URL(databaseUrl).searchParams.get('options')
  } catch {
    return 'pgboss'
  }
  const m = options ? /search_path\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)/.exec(options) : null
  return m ? `${m[1]!.toLowerCase()}_pgboss`.slice(0, 63) : 'pgboss'
}

function bossOptions(p: Pick<PgBossQueueParameters, 'databaseUrl' | 'schema' | 'maintenanceSeconds'>, supervise: boolean): PgBoss.ConstructorOptions {
  return { connectionString: p.databaseUrl, schema: p.schema, max: 4, application_name: 'krain-queue', supervise, schedule: false, migrate: true, maintenanceIntervalSeconds: p.maintenanceSeconds }
}

async function ensureQueues(boss: PgBoss, p: Pick<PgBossQueueParameters, 'proveTimeoutSeconds' | 'retryLimit' | 'chainTimeoutSeconds'>): Promise<void> {
  const want: [string, PgBoss.Queue][] = [
    [queueNames.dead, { name: queueNames.dead, retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 }],
    [queueNames.prove, { name: queueNames.prove, retryLimit: p.retryLimit, retryDelay: 2, retryBackoff: true, expireInSeconds: p.proveTimeoutSeconds, deadLetter: queueNames.dead }],
    [queueNames.chain, { name: queueNames.chain, retryLimit: CHAIN_RETRY_LIMIT, retryDelay: 1, retryBackoff: true, expireInSeconds: p.chainTimeoutSeconds ?? CHAIN_TIMEOUT_SECONDS, deadLetter: queueNames.dead }],
    [queueNames.build, { name: queueNames.build, retryLimit: p.retryLimit, retryDelay: 2, retryBackoff: true, expireInSeconds: BUILD_MAX_SECONDS, deadLetter: queueNames.dead }],
  ]
  for (const [name, options] of want) {
    if (await boss.getQueue(name)) await boss.updateQueue(name, options)
    else {
      try {
        await boss.createQueue(name, options)
      } catch (e) {
        if (!(await boss.getQueue(name))) throw e // another process created it meanwhile: fine
      }
    }
  }
}

/**
 * Install pg-boss's schema and Krain's queues once (a cluster does it before starting its
 * processes, so they do not race on the first installation).
 * @example
 * ```ts
 * await installQueueSchema({ databaseUrl: process.env.DATABASE_URL!, schema: 'pgboss' })
 * ```
 */
export async function installQueueSchema({ databaseUrl, schema, proveTimeoutSeconds = 600, retryLimit = 3 }: { databaseUrl: string; schema: string; proveTimeoutSeconds?: number; retryLimit?: number }): Promise<void> {
  const boss = new PgBoss(bossOptions({ databaseUrl, schema, maintenanceSeconds: 60 }, false))
  boss.on('error', () => undefined)
  await boss.start()
  try {
    await ensureQueues(boss, { proveTimeoutSeconds, retryLimit })
  } finally {
    await boss.stop({ graceful: false, wait: true })
  }
}

/** The pg-boss queue of one process. */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const
  private readonly boss: PgBoss
  private starting: Promise<void> | undefined
  private working = false
  private stopped = false

  constructor(private readonly p: PgBossQueueParameters) {
    this.boss = new PgBoss(bossOptions(p, true))
    this.boss.on('error', (e) => p.log.warn({ err: { message: e.message, code: (e as { code?: string }).code } }, 'job queue error'))
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.boss.start()
      await ensureQueues(this.boss, this.p)
    })()
    return this.starting
  }

  async enqueueProve(jobId: string): Promise<void> {
    await this.start()
    await this.boss.send(queueNames.prove, { id: jobId, queue: 'prove' } satisfies Payload, { id: uuidOf(jobId) })
  }

  async enqueueChain(outboxId: string): Promise<void> {
    await this.start()
    const data: Payload = { id: outboxId, queue: 'chain' }
    const id = uuidOf(`chain:${outboxId}`)
    if (await this.boss.send(queueNames.chain, data, { id })) return
    // already queued, running or done: nothing to add, unless it ran out of retries (dead-lettered)
    // while its entry is still pending: then the submission gets a fresh delivery
    const seen = await this.boss.getJobById(queueNames.chain, id)
    if (seen?.state === 'failed') await this.boss.send(queueNames.chain, data)
  }

  async enqueueBuild(jobId: string): Promise<void> {
    await this.start()
    await this.boss.send(queueNames.build, { id: jobId, queue: 'build' } satisfies Payload, { id: uuidOf(`build:${jobId}`) })
  }

  async work(handlers: QueueHandlers, { queues, concurrency }: { queues: QueueName[]; concurrency: number }): Promise<void> {
    await this.start()
    const options = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: this.p.pollingSeconds ?? 1 }
    for (const queue of queues) {
      const handler = handlers[queue]
      if (!handler) throw new TypeError(`"handlers.${queue}" expected a handler for the ${queue} queue`)
      for (let i = 0; i < concurrency; i++) {
        await this.boss.work<Payload>(queueNames[queue], options, async ([job]) => {
          if (!job) return
          // the first beat is recorded before the work starts: a worker killed at once is not waited for for hours
          const beat = queue === 'build' ? await this.heartbeat(queueNames.build, job.id) : undefined
          try {
            await handler({ id: job.data.id, retryCount: job.retryCount, retryLimit: job.retryLimit })
          } finally {
            if (beat) clearInterval(beat)
          }
        })
      }
    }
    await this.boss.work<Payload>(queueNames.dead, options, async ([job]) => {
      if (!job) return
      await handlers.dead({ queue: job.data.queue, id: job.data.id, error: null })
    })
    this.working = queues.length > 0
  }

  /**
   * Keep an active delivery alive while this process works on it: now, and every third of the
   * timeout, record its start so that it expires one timeout from then (see the module header).
   * @returns the timer of the later beats (clear it when the work ends)
   */
  private async heartbeat(name: string, id: string): Promise<NodeJS.Timeout> {
    const seconds = this.p.buildTimeoutSeconds ?? this.p.proveTimeoutSeconds
    const beat = (): Promise<unknown> => this.boss.getDb().executeSql(`UPDATE ${this.p.schema}.job SET started_on = now() + make_interval(secs => $3) - expire_in WHERE name = $1 AND id = $2 AND state = 'active'`, [name, id, seconds])
    await beat()
    const t = setInterval(() => void beat().catch((e: unknown) => this.p.log.warn({ err: { message: (e as Error).message }, job: id }, 'job heartbeat failed')), Math.max(1000, (seconds * 1000) / 3))
    t.unref()
    return t
  }

  async stats(): Promise<QueueStats> {
    await this.start()
    const { rows } = await this.boss.getDb().executeSql(`SELECT name, state, count(*)::int AS n FROM ${this.p.schema}.job WHERE name = ANY($1) GROUP BY name, state`, [Object.values(queueNames)])
    const queues: Record<QueueName | 'dead', QueueCounts> = { prove: emptyCounts(), chain: emptyCounts(), build: emptyCounts(), dead: emptyCounts() }
    const byName = Object.fromEntries(Object.entries(queueNames).map(([k, v]) => [v, k as QueueName | 'dead']))
    for (const r of rows as { name: string; state: keyof QueueCounts; n: number }[]) {
      const q = byName[r.name]
      if (q && r.state in queues[q]) queues[q][r.state] = r.n
    }
    return { kind: this.kind, working: this.working, queues }
  }

  async inspect(jobId: string, queue: 'prove' | 'build' = 'prove'): Promise<QueueJobState | null> {
    await this.start()
    const j = await this.boss.getJobById<Payload>(queueNames[queue], uuidOf(queue === 'build' ? `build:${jobId}` : jobId), { includeArchive: true })
    if (!j) return null
    const ran = j.state === 'created' || j.state === 'retry' ? 0 : 1
    return { queue: queueNames[queue], state: j.state, attempts: j.retryCount + ran, retryLimit: j.retryLimit, startAfter: j.state === 'retry' || j.state === 'created' ? new Date(j.startAfter).getTime() : null }
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (!this.starting) return
    await this.starting.catch(() => undefined)
    // graceful: wait for the deliveries in flight (a proof), then hand back what is left
    await this.boss.stop({ graceful: true, wait: true, timeout: 60_000 })
  }
}
