/**
 * Shared state of several gateway instances on one PostgreSQL (issue 14, item 3): store
 * announcements (LISTEN/NOTIFY), MPC sessions served by any instance (compare-and-set races retried,
 * long-polls woken by another instance's change, an instance SIGKILLed mid-round), replay
 * protection and rate limits counted across instances. Real PostgreSQL and real server processes;
 * skipped with a message without KRAIN_TEST_DATABASE_URL (`source .ci/postgres.sh`).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Counter } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressOf, Party, type Hex } from '@krain/mpc'
import { GatewayHttp, KrainClient, MpcParticipant } from '@krain/client'
import { requestSigningPayload } from '../src/auth/request-signature.js'
import { MpcService } from '../src/mpc/mpc-service.js'
import { PsiService } from '../src/psi/psi-service.js'
import type { Metrics } from '../src/plugins/app/metrics.js'
import { openStore } from '../src/store/sql-store.js'
import type { Store } from '../src/store/types.js'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { freePort, startChildGateway } from './helpers/child-gateway.js'
import { hospitalVectors, sumOf } from './helpers/hospitals.js'
import { dropSchema, pgUrl } from './helpers/stores.js'

if (!pgUrl) console.warn('[cluster-state] KRAIN_TEST_DATABASE_URL is not set: the cluster shared-state tests are SKIPPED (run `source .ci/postgres.sh`)')

const COORDINATOR_KEY: Hex = `0x${'c5'.repeat(32)}`
const KEYS: Hex[] = Array.from({ length: 10 }, (_, i) => `0x${(0xb0b100n + BigInt(i)).toString(16).padStart(64, '0')}` as Hex)
const PARTIES = KEYS.map((k) => addressOf(k))
const RATE_LIMIT = 150
const metrics = (): Metrics => ({ mpcEvents: new Counter({ name: 'mpc_events_cluster_test', help: 'test', labelNames: ['event'], registers: [] }) }) as unknown as Metrics

/** A connection URL whose connections use `schema` (what an operator would put in DATABASE_URL). */
const urlWithSchema = (url: string, schema: string): string => {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

/**
 * Job transitions made on `store` announce their job id to `listener` on commit: one alone, one with its outbox entry; one whose
 * outbox insert fails (a duplicate id) rolls back and announces nothing. Returns what was heard.
 */
async function jobAnnouncements(store: Store, listener: Store = store): Promise<string[]> {
  const heard: string[] = []
  let last!: () => void
  const done = new Promise<void>((r) => (last = r))
  const stop = await listener.subscribe('job', (p) => {
    heard.push(p)
    if (p === 'end') last()
  })
  const job = (id: string) => ({ id, owner: 'o', kind: 'proven-inference' as const, modelId: null, state: 'proving' as const, input: { input: [1], salt: '1' }, result: null, error: null, txHash: null, createdAt: 1, updatedAt: 1 })
  const outbox = (jobId: string) => ({ id: 'submit:same', jobId, kind: 'submit-inference' as const, payload: { circuit: 'c', modelCommitment: '1', proof: { pi_a: [], pi_b: [], pi_c: [], protocol: 'groth16', curve: 'bn128' }, publicSignals: [] }, status: 'pending' as const, attempts: 0, nextAttemptAt: 1, lockedUntil: null, lastError: null, result: null, createdAt: 1, updatedAt: 1 })
  for (const id of ['j1', 'j2', 'j3']) await store.createJob(job(id))
  expect(await store.transitionJob('j1', ['proving'], { state: 'failed', error: { code: 'X', message: 'x' } }, 2)).toBe(true)
  expect(await store.transitionJob('j1', ['proving'], { state: 'failed' }, 3)).toBe(false) // no change, no announcement
  expect(await store.transitionJobWithOutbox('j2', ['proving'], { state: 'proved' }, outbox('j2'), 4)).toBe(true)
  await expect(store.transitionJobWithOutbox('j3', ['proving'], { state: 'proved' }, outbox('j3'), 5)).rejects.toThrow()
  expect((await store.getJob('j3'))?.state).toBe('proving') // rolled back
  await store.notify('job', 'end')
  await done
  stop()
  return heard
}

describe('GatewayHttp failover', () => {
  it('moves to the next base URL only when the request cannot have been applied or may be repeated', async () => {
    // "cut": a server that takes the request and drops the connection (an instance killed mid-request)
    const hits = { cut: 0, ok: 0 }
    const cut = createServer((req) => {
      hits.cut++
      req.socket.destroy()
    })
    const ok = createServer((_req, res) => {
      hits.ok++
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
    const listen = (s: typeof cut): Promise<string> => new Promise((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)))
    const [cutUrl, okUrl, deadUrl] = [await listen(cut), await listen(ok), `http://127.0.0.1:${await freePort()}`]
    try {
      // refused connection: even a plain POST moves (nothing was sent), and the client stays moved
      const fromDead = new GatewayHttp({ url: deadUrl, baseUrls: [okUrl] })
      expect(await fromDead.request('POST', '/x', { body: {}, auth: false })).toEqual({ ok: true })
      expect(fromDead.url).toBe(okUrl)
      // dropped mid-request: a plain POST may have been applied, so it is not repeated elsewhere
      await expect(new GatewayHttp({ url: cutUrl, baseUrls: [okUrl] }).request('POST', '/x', { body: {}, auth: false })).rejects.toThrow()
      expect(hits).toEqual({ cut: 1, ok: 1 })
      // ... but a GET and an idempotent POST are
      expect(await new GatewayHttp({ url: cutUrl, baseUrls: [okUrl] }).request('GET', '/x', { auth: false })).toEqual({ ok: true })
      expect(await new GatewayHttp({ url: cutUrl, baseUrls: [okUrl] }).request('POST', '/x', { body: {}, auth: false, idempotent: true })).toEqual({ ok: true })
      expect(hits).toEqual({ cut: 3, ok: 3 })
      expect(() => new GatewayHttp({ url: okUrl, baseUrls: ['ftp://x'] })).toThrow(TypeError)
      // the agent SDK passes its instances through
      const agent = new KrainClient({ url: deadUrl, baseUrls: [okUrl] })
      expect(await agent.http.request('GET', '/x', { auth: false })).toEqual({ ok: true })
      expect(agent.http.url).toBe(okUrl)
    } finally {
      cut.close()
      ok.close()
    }
  })
})

describe('store announcements', () => {
  it('are delivered in-process on SQLite, those of a rolled-back transaction never', async () => {
    const store = await openStore(':memory:')
    try {
      expect(await jobAnnouncements(store)).toEqual(['j1', 'j2', 'end'])
      // the same rate-limit window SQL runs on SQLite
      expect([(await store.hitRateLimit('k', 1_000, 10)).count, (await store.hitRateLimit('k', 1_000, 500)).count]).toEqual([1, 2])
      expect(await store.hitRateLimit('k', 1_000, 1_010)).toEqual({ count: 1, resetAt: 2_010 })
      expect(await store.purgeExpired(3_000)).toBe(1)
    } finally {
      await store.close()
    }
  })

  it.skipIf(!pgUrl)('reach every store on the same PostgreSQL schema and no other schema', async () => {
    const schema = `krain_test_${randomBytes(6).toString('hex')}`
    const other = `krain_test_${randomBytes(6).toString('hex')}`
    const a = await openStore(pgUrl!, { schema })
    const b = await openStore(pgUrl!, { schema })
    const c = await openStore(pgUrl!, { schema: other })
    try {
      const heard = (store: Store, last: string): Promise<{ payloads: string[]; arrived: Promise<void> }> => {
        const payloads: string[] = []
        let arrived!: () => void
        const done = new Promise<void>((r) => (arrived = r))
        return store
          .subscribe('mpc', (p) => {
            payloads.push(p)
            if (p === last) arrived()
          })
          .then(() => ({ payloads, arrived: done }))
      }
      const onB = await heard(b, 'second')
      const onC = await heard(c, 'own')
      await a.notify('mpc', 'first')
      await a.notify('mpc', 'second')
      await onB.arrived
      expect(onB.payloads).toEqual(['first', 'second'])
      // the other schema heard none of them: its own announcement arrives alone
      await c.notify('mpc', 'own')
      await onC.arrived
      expect(onC.payloads).toEqual(['own'])
      // B's listening connection dies: it comes back, tells its subscribers to re-read (''), and hears again
      const resynced = heard(b, '')
      const { arrived: back, payloads: afterDrop } = await resynced
      const admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'krain-listen' AND query = $1`, [`LISTEN "${schema}:mpc"`])
      await admin.end()
      expect(killed.rowCount).toBe(1)
      await back
      const again = await heard(b, 'third')
      await a.notify('mpc', 'third')
      await again.arrived
      expect(afterDrop).toEqual(['', 'third'])
      expect(await jobAnnouncements(a, b)).toEqual(['j1', 'j2', 'end'])
      // rate limits: one window counted by both stores
      const counts = []
      for (let i = 0; i < 4; i++) counts.push((await (i % 2 ? a : b).hitRateLimit('k', 60_000, 1_000 + i)).count)
      expect(counts).toEqual([1, 2, 3, 4])
      expect((await a.hitRateLimit('k', 60_000, 61_001)).count).toBe(1) // the window ended
    } finally {
      for (const s of [a, b, c]) await s.close()
      await dropSchema(schema)
      await dropSchema(other)
    }
  })
})

describe.skipIf(!pgUrl)('two MPC services on one PostgreSQL schema', () => {
  const schema = `krain_test_${randomBytes(6).toString('hex')}`
  let stores: Store[] = []
  afterAll(async () => {
    for (const s of stores) await s.close()
    await dropSchema(schema)
  })

  it('accept concurrent party messages without failing any (lost races are retried) and wake each other', async () => {
    stores = [await openStore(pgUrl!, { schema }), await openStore(pgUrl!, { schema })]
    const [a, b] = stores.map((store) => new MpcService({ store: store!, identityKey: COORDINATOR_KEY, metrics: metrics() })) as [MpcService, MpcService]
    const now = Date.now()
    const config = await a.create({ parties: PARTIES, threshold: 4, length: 32, bound: 1_000_000, deadlines: { join: now + 600_000, share: now + 1_200_000, sum: now + 1_800_000 } }, 'creator')
    const id = config.sessionId
    const parties = KEYS.map((identityKey) => new Party({ config, identityKey }))
    // B waits for the share round; only A receives the joins
    const woke = b.waitForPhase(id, ['share'], 60_000)
    const joins = await Promise.all(parties.map((p) => a.receive(id, p.join())))
    expect(joins.every((r) => r.status === 'accepted')).toBe(true)
    expect(await woke).toBe(true)
    // shares and sum-shares to both services at once: they race on the compare-and-set
    const vectors = hospitalVectors(10)
    const roster = await b.roster(id)
    const shares = await Promise.all(parties.map((p, i) => (i % 2 ? a : b).receive(id, p.share(vectors[i]!, roster))))
    expect(shares.map((r) => r.status)).toEqual(Array(10).fill('accepted'))
    const sums = await Promise.all(parties.map(async (p, i) => (i % 2 ? b : a).receive(id, p.sum(await (i % 2 ? b : a).inbox(id, p.address), roster))))
    expect(sums.map((r) => r.status)).toEqual(Array(10).fill('accepted'))
    const [ra, rb] = [await a.result(id), await b.result(id)]
    expect(rb).toEqual(ra)
    const expected = sumOf(vectors)
    ra.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
    expect(await a.inspect(id)).toEqual(await b.inspect(id))
  })
})

describe.skipIf(!pgUrl)('two PSI services on one PostgreSQL schema', () => {
  it('wake a long-poll on one when a chunk for its party is stored through the other', async () => {
    const schema = `krain_test_${randomBytes(6).toString('hex')}`
    const stores = [await openStore(pgUrl!, { schema }), await openStore(pgUrl!, { schema })] as const
    try {
      const [a, b] = stores.map((store) => new PsiService({ store })) as [PsiService, PsiService]
      const [p0, p1] = [wallet(44).address, wallet(45).address]
      const { sessionId } = await a.create({ parties: [p0, p1], mode: 'cardinality' }, p0)
      // waitMs is longer than the test's timeout: only the announcement can end it in time
      const waiting = b.fetch(sessionId, { from: p0, to: p1, stream: 'paillier-key', after: 0, waitMs: 60_000 })
      expect(await a.post(sessionId, { from: p0, to: p1, stream: 'paillier-key', index: 0, last: true, data: Buffer.from('key bytes') })).toEqual({ status: 'stored' })
      const { chunks, last } = await waiting
      expect(chunks.map((c) => c.data.toString())).toEqual(['key bytes'])
      expect(last).toBe(true)
    } finally {
      for (const s of stores) await s.close()
      await dropSchema(schema)
    }
  }, 30_000)
})

describe.skipIf(!pgUrl)('two in-process gateways on one PostgreSQL schema', () => {
  it('drop a session token signed out on the other instance from their cache at once', async () => {
    const schema = `krain_test_${randomBytes(6).toString('hex')}`
    const stores = [await openStore(pgUrl!, { schema }), await openStore(pgUrl!, { schema })] as const
    const [a, b] = await Promise.all(stores.map((store) => testGateway({ store, config: { coordinatorKey: COORDINATOR_KEY } })))
    try {
      await b!.ready() // its subscription comes before the test's below, so it runs first
      const token = await signInWith(a!, wallet(43))
      expect((await b!.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) })).statusCode).toBe(200) // now in B's cache
      let arrived!: () => void
      const announced = new Promise<void>((r) => (arrived = r))
      const stop = await stores[1].subscribe('session', () => arrived())
      expect((await a!.inject({ method: 'DELETE', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(204)
      await announced
      stop()
      const after = await b!.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) })
      expect(after.statusCode).toBe(401) // not served from the cache for its remaining seconds
      expect(after.json()).toMatchObject({ code: 'AUTH_SESSION_EXPIRED' })
    } finally {
      await a!.close()
      await b!.close()
      for (const s of stores) await s.close()
      await dropSchema(schema)
    }
  })
})

describe.skipIf(!pgUrl)('probes on a PostgreSQL gateway', () => {
  it('are limited in the instance\'s own bucket: no database round-trip, and they do not spend the shared budget', async () => {
    const schema = `krain_test_${randomBytes(6).toString('hex')}`
    const store = await openStore(pgUrl!, { schema })
    const gw = await testGateway({ store, config: { coordinatorKey: COORDINATOR_KEY, rateLimitPerMinute: 5 } })
    try {
      const codes: number[] = []
      for (let i = 0; i < 6; i++) codes.push((await gw.inject({ method: 'GET', url: '/healthz' })).statusCode)
      expect(codes).toEqual([200, 200, 200, 200, 200, 429])
      const c = new pg.Client({ connectionString: pgUrl })
      await c.connect()
      const rows = await c.query(`SELECT count(*)::int AS n FROM "${schema}".rate_limits`)
      expect(rows.rows[0].n).toBe(0) // probes never reached the shared table
      const models = await gw.inject({ method: 'GET', url: '/v1/models' })
      expect(models.statusCode).toBe(200) // the caller's shared budget is untouched by its probes
      expect((await c.query(`SELECT count(*)::int AS n FROM "${schema}".rate_limits`)).rows[0].n).toBe(1)
      await c.end()
    } finally {
      await gw.close()
      await store.close()
      await dropSchema(schema)
    }
  })
})

describe.skipIf(!pgUrl)('two gateway processes on one PostgreSQL schema', () => {
  const schema = `krain_test_${randomBytes(6).toString('hex')}`
  const dirs = [mkdtempSync(join(tmpdir(), 'krain-cluster-a-')), mkdtempSync(join(tmpdir(), 'krain-cluster-b-'))]
  const gateways: { url: string; kill: () => Promise<void> }[] = []
  const vectors = hospitalVectors(10)
  const expected = sumOf(vectors)

  beforeAll(async () => {
    const c = new pg.Client({ connectionString: pgUrl })
    await c.connect()
    await c.query(`CREATE SCHEMA "${schema}"`)
    await c.end()
    // migrate once, so the two processes do not both start on an empty schema
    await (await openStore(pgUrl!, { schema })).close()
    const databaseUrl = urlWithSchema(pgUrl!, schema)
    const env = (dir: string, port: number): Record<string, string> => ({
      KRAIN_CHAIN: 'none',
      KRAIN_JOBS: 'embedded',
      KRAIN_PORT: String(port),
      KRAIN_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      KRAIN_COORDINATOR_KEY: COORDINATOR_KEY,
      KRAIN_RATE_LIMIT: String(RATE_LIMIT),
    })
    const started = await Promise.all(dirs.map(async (dir) => startChildGateway(env(dir, await freePort()))))
    gateways.push(...started)
  }, 120_000) // two server processes start (seconds each; much longer on a loaded machine)

  afterAll(async () => {
    for (const g of gateways) await g.kill()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await dropSchema(schema)
  })

  type Gateway = { url: string; kill: () => Promise<void> }
  const pair = (): [Gateway, Gateway] => {
    const [a, b] = gateways
    if (!a || !b) throw new Error('the gateways did not start')
    return [a, b]
  }

  const openSession = async (url: string): Promise<Hex> => {
    const creator = new GatewayHttp({ url, account: wallet(40) })
    const { sessionId } = await creator.request<{ sessionId: Hex }>('POST', '/v1/mpc/sessions', { body: { parties: PARTIES, threshold: 4, length: 32, bound: 1_000_000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } } })
    return sessionId
  }

  it('refuses on instance B a signed request already accepted by instance A', async () => {
    const [a, b] = pair()
    const account = wallet(41)
    const timestamp = Date.now()
    const signature = await account.signMessage({ message: requestSigningPayload({ method: 'GET', path: '/v1/auth/me', timestamp, body: undefined }) })
    const headers = { 'x-krain-address': account.address, 'x-krain-timestamp': String(timestamp), 'x-krain-signature': signature }
    const first = await fetch(`${a.url}/v1/auth/me`, { headers })
    expect(first.status).toBe(200)
    const replayed = await fetch(`${b.url}/v1/auth/me`, { headers })
    expect(replayed.status).toBe(401)
    expect(await replayed.json()).toMatchObject({ code: 'AUTH_REPLAYED' })
  })

  it('counts one rate limit across both instances', async () => {
    const [a, b] = pair()
    const http = new GatewayHttp({ url: a.url, account: wallet(42) })
    const token = await http.signIn()
    let ok = 0
    let refused: { status: number; code?: string } | undefined
    // alternate between the instances: each alone would admit RATE_LIMIT, twice as many in all
    for (let i = 0; i < 2 * RATE_LIMIT && !refused; i++) {
      const r = await fetch(`${(i % 2 ? a : b).url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })
      if (r.ok) ok++
      else refused = { status: r.status, code: ((await r.json()) as { code?: string }).code }
    }
    expect(refused).toEqual({ status: 429, code: 'RATE_LIMITED' })
    expect(ok).toBe(RATE_LIMIT)
  })

  it('completes a 10-hospital session whose parties are spread over both; a long-poll on B wakes when A completes the join round', async () => {
    const [a, b] = pair()
    const sessionId = await openSession(a.url)
    // waitMs is the maximum (60 s), longer than this test's timeout: only the announcement can end it in time
    const watcher = new GatewayHttp({ url: b.url, account: wallet(40) })
    const rosterOnB = watcher.request<{ members: { from: string }[] }>('GET', `/v1/mpc/sessions/${sessionId}/roster`, { query: { waitMs: 60_000 } })
    const onA = KEYS.map((privateKey) => new MpcParticipant({ url: a.url, privateKey, sessionId, waitMs: 20_000 }))
    await Promise.all(onA.map((h) => h.join()))
    expect((await rosterOnB).members.map((m) => m.from)).toEqual(PARTIES)
    // the other rounds with the parties spread: even ones on A, odd ones on B, all at once
    const spread = KEYS.map((privateKey, i) => new MpcParticipant({ url: (i % 2 ? b : a).url, privateKey, sessionId, waitMs: 20_000, state: onA[i]!.toJSON() }))
    await Promise.all(spread.map((h, i) => h.share(vectors[i]!)))
    await Promise.all(spread.map((h) => h.sum()))
    const [ra, rb] = await Promise.all([spread[0]!.result(), spread[1]!.result()])
    expect(rb).toEqual(ra)
    expect(ra.contributors).toEqual(PARTIES)
    ra.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
  }, 45_000)

  it('completes when instance A is SIGKILLed mid-round: its parties fail over to B', async () => {
    const [a, b] = pair()
    const sessionId = await openSession(b.url)
    const hospitals = KEYS.map((privateKey, i) => new MpcParticipant({ url: (i % 2 ? b : a).url, baseUrls: [(i % 2 ? a : b).url], privateKey, sessionId, waitMs: 20_000 }))
    await Promise.all(hospitals.map((h) => h.join()))
    await Promise.all(hospitals.slice(0, 4).map((h, i) => h.share(vectors[i]!)))
    // the other shares are on their way (and the first parties already wait for their inbox) when A dies
    const rest = Promise.all(hospitals.slice(4).map((h, i) => h.share(vectors[i + 4]!)))
    const early = Promise.all(hospitals.slice(0, 4).map((h) => h.sum()))
    await a.kill()
    await rest
    await Promise.all([early, ...hospitals.slice(4).map((h) => h.sum())])
    expect(hospitals.filter((h, i) => i % 2 === 0).every((h) => h.http.url === b.url)).toBe(true) // A's parties moved
    const result = await hospitals[0]!.result()
    expect(result.contributors).toEqual(PARTIES)
    result.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
    await expect(fetch(`${a.url}/healthz`)).rejects.toThrow() // A is really gone
  }, 45_000)
})
