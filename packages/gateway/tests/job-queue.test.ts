/**
 * The job queue (issue 14 item 1): which queue a configuration gets, the in-process queue behind
 * `GET /v1/queues`, and pg-boss on a real PostgreSQL: enqueueing twice delivers once, a delivery
 * that keeps failing is retried with its attempts visible, then dead-lettered, and the dead-letter
 * handler fails the stored job with `JOB_RETRIES_EXHAUSTED`. The PostgreSQL part is skipped with a
 * message without KRAIN_TEST_DATABASE_URL (`source .ci/postgres.sh`).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { JobRunner } from '../src/jobs/job-runner.js'
import { PgBossQueue, queueSchemaOf, uuidOf } from '../src/jobs/pg-boss-queue.js'
import type { Delivery } from '../src/jobs/queue.js'
import { jobsModeOf } from '../src/plugins/app/jobs.js'
import { openStore } from '../src/store/sql-store.js'
import { queueHandlers } from '../src/worker/handlers.js'
import { workerArgs } from '../src/worker/main.js'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { schemaUrl } from './helpers/cluster.js'
import { dropSchema, pgUrl } from './helpers/stores.js'

const PG = 'postgres://u@127.0.0.1:5432/db'

describe('jobsModeOf', () => {
  it.each([
    [{ jobs: 'auto', databaseUrl: ':memory:' }, 'embedded'],
    [{ jobs: 'auto', databaseUrl: PG }, 'pg-boss'],
    [{ jobs: 'embedded', databaseUrl: PG }, 'embedded'],
    [{ jobs: 'external', databaseUrl: PG }, 'external'],
  ] as const)('%o → %s', (config, mode) => {
    expect(jobsModeOf(config)).toBe(mode)
  })
  it('refuses external jobs without PostgreSQL', () => {
    expect(() => jobsModeOf({ jobs: 'external', databaseUrl: '/tmp/krain.db' })).toThrow(ConfigError)
  })
})

describe('uuidOf', () => {
  it('keeps a UUID, and names any other key by a stable UUID', () => {
    const id = randomUUID()
    expect(uuidOf(id)).toBe(id)
    expect(uuidOf('chain:submit:x')).toBe(uuidOf('chain:submit:x'))
    expect(uuidOf('chain:submit:x')).not.toBe(uuidOf('chain:submit:y'))
    expect(uuidOf('chain:submit:x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('queueSchemaOf', () => {
  it('is KRAIN_QUEUE_SCHEMA, else beside the schema DATABASE_URL selects, else pgboss', () => {
    expect(queueSchemaOf({ databaseUrl: PG, queueSchema: 'q1' })).toBe('q1')
    expect(queueSchemaOf({ databaseUrl: PG })).toBe('pgboss')
    expect(queueSchemaOf({ databaseUrl: schemaUrl(PG, 'tenant_a') })).toBe('tenant_a_pgboss')
    expect(queueSchemaOf({ databaseUrl: 'not a url' })).toBe('pgboss')
  })
})

describe('workerArgs', () => {
  it('reads queues and concurrency, and refuses junk', () => {
    expect(workerArgs([])).toEqual({ queues: ['prove', 'chain'], concurrency: 1 })
    expect(workerArgs(['--queues', 'prove', '--concurrency', '3'])).toEqual({ queues: ['prove'], concurrency: 3 })
    for (const bad of [['--queues', 'he'], ['--queues', ','], ['--concurrency', '0'], ['--concurrency', 'x'], ['--concurrency', '65'], ['--nope']]) expect(() => workerArgs(bad)).toThrow(ConfigError)
  })
})

describe('GET /v1/queues, embedded', () => {
  it('answers the in-process queue, worked here, counted from the store', async () => {
    const app = await testGateway()
    try {
      const token = await signInWith(app, wallet(70))
      const r = await app.inject({ method: 'GET', url: '/v1/queues', headers: bearer(token) })
      expect(r.statusCode).toBe(200)
      expect(r.json()).toMatchObject({ kind: 'in-process', working: true, queues: { prove: { created: 0, active: 0 }, dead: { failed: 0 } } })
      expect((await app.inject({ method: 'GET', url: '/v1/queues' })).statusCode).toBe(401)
    } finally {
      await app.close()
    }
  })
})

describe.skipIf(!pgUrl)('PgBossQueue on PostgreSQL', () => {
  const schema = `krain_queue_${randomBytes(5).toString('hex')}`
  afterAll(async () => {
    await dropSchema(`${schema}_boss`)
    await dropSchema(schema)
  })

  it('delivers a job once however often it is enqueued; retries a failing delivery, then dead-letters it and fails the job', async () => {
    const databaseUrl = schemaUrl(pgUrl!, schema)
    const store = await openStore(pgUrl!, { schema })
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined }
    const queue = new PgBossQueue({ databaseUrl, schema: `${schema}_boss`, proveTimeoutSeconds: 30, retryLimit: 1, maintenanceSeconds: 1, pollingSeconds: 0.5, log })
    try {
      const jobs = new JobRunner({ store, prove: () => Promise.reject(new Error('unused')), queue, log })
      await queue.start()
      const job = await jobs.create({ owner: '0xowner', modelId: 'm', input: { input: [1], salt: '7' } })
      await queue.enqueueProve(job.id) // a second hand-over (a sweep after a restart): no second delivery
      expect((await queue.stats()).queues.prove.created).toBe(1)

      // a handler that fails on every delivery (as a worker whose store is unreachable would)
      const deliveries: Delivery[] = []
      const handlers = queueHandlers({ jobs, outbox: { submitById: async () => undefined }, log })
      const dead = new Promise<void>((resolve) => {
        void queue.work(
          {
            ...handlers,
            prove: async (d) => {
              deliveries.push(d)
              throw new Error('the store is unreachable')
            },
            dead: async (d) => {
              await handlers.dead(d)
              resolve()
            },
          },
          { queues: ['prove'], concurrency: 1 },
        )
      })
      const failed = await jobs.waitFor(job.id, ['failed'], 60_000)
      await dead
      expect(deliveries.map((d) => [d.id, d.retryCount, d.retryLimit])).toEqual([
        [job.id, 0, 1],
        [job.id, 1, 1],
      ])
      expect(failed.state).toBe('failed')
      expect(failed.error?.code).toBe('JOB_RETRIES_EXHAUSTED')
      expect(await queue.inspect(job.id)).toMatchObject({ queue: 'krain.prove', state: 'failed', attempts: 2, retryLimit: 1 })
      const stats = await queue.stats()
      expect(stats).toMatchObject({ kind: 'pg-boss', working: true })
      expect(stats.queues.prove.failed).toBe(1)
      // the dead-letter handler has returned; pg-boss marks its job completed just after
      await vi.waitFor(async () => expect((await queue.stats()).queues.dead.completed).toBe(1), { timeout: 10_000, interval: 100 })
    } finally {
      await queue.stop()
      await store.close()
    }
  }, 90_000)
})
