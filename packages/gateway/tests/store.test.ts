import { describe, expect, it } from 'vitest'
import { migrate, migrations } from '../src/store/migrations.js'
import { openStore, SqlStore } from '../src/store/sql-store.js'
import { openSqlite } from '../src/store/sqlite-driver.js'
import { StoreRowError, type ProvedResult } from '../src/store/rows.js'
import type { JobRecord, OutboxRecord } from '../src/store/types.js'
import { backends, pgUrl } from './helpers/stores.js'

const job = (id: string, now: number): JobRecord => ({ id, owner: '0xabc', kind: 'proven-inference', modelId: 'm1', state: 'queued', input: { input: [1, 2], salt: '7' }, result: null, error: null, txHash: null, createdAt: now, updatedAt: now })
const outbox = (id: string, jobId: string, now: number): OutboxRecord => ({
  id,
  jobId,
  kind: 'submit-inference',
  payload: { circuit: 'inference_logistic', modelCommitment: '1', proof: { pi_a: [] }, publicSignals: ['1', '2', '3'] },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: now,
  lockedUntil: null,
  lastError: null,
  result: null,
  createdAt: now,
  updatedAt: now,
})

const proved: ProvedResult = { circuit: 'inference_logistic', output: '1', modelCommitment: '1', inputCommitment: '2', publicSignals: ['1', '1', '2'], proof: { pi_a: ['1'] } }

describe.each(backends)('store on $name', (backend) => {
  it('accepts a request digest once until it expires, and reads a challenge without consuming it', async () => {
    const { store, drop } = await backend.open()
    try {
      expect(await store.acceptRequestDigest('d1', 2000, 1000)).toBe(true)
      expect(await store.acceptRequestDigest('d1', 2000, 1500)).toBe(false)
      expect(await store.acceptRequestDigest('d2', 2000, 1500)).toBe(true)
      expect(await store.acceptRequestDigest('d1', 3000, 2000)).toBe(true) // its window closed: a new one
      expect(await store.purgeExpired(2500)).toBe(1) // d2
      await store.createChallenge({ nonce: 'n9', address: '0xabc', message: 'hello', expiresAt: 2000 })
      expect(await store.getChallenge('n9')).toMatchObject({ nonce: 'n9', message: 'hello' })
      expect(await store.getChallenge('n9')).not.toBeNull()
      expect(await store.consumeChallenge('n9')).not.toBeNull()
      expect(await store.getChallenge('n9')).toBeNull()
    } finally {
      await store.close()
      await drop()
    }
  })

  it('uses a challenge nonce once and expires sessions', async () => {
    const { store, drop } = await backend.open()
    try {
      await store.createChallenge({ nonce: 'n1', address: '0xabc', message: 'hello', expiresAt: 2000 })
      expect(await store.consumeChallenge('n1')).toEqual({ nonce: 'n1', address: '0xabc', message: 'hello', expiresAt: 2000 })
      expect(await store.consumeChallenge('n1')).toBeNull()
      await store.createSession({ tokenHash: 'h', address: '0xabc', createdAt: 1000, expiresAt: 5000 })
      expect((await store.getSession('h', 4000))?.address).toBe('0xabc')
      expect(await store.getSession('h', 5000)).toBeNull()
      expect(await store.countActiveSessions(4000)).toBe(1)
      expect(await store.purgeExpired(6000)).toBe(1)
      expect(await store.countActiveSessions(0)).toBe(0)
    } finally {
      await store.close()
      await drop()
    }
  })

  it('stores key bundles byte for byte and models', async () => {
    const { store, drop } = await backend.open()
    try {
      const bundle = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 255))
      await store.putKey({ id: 'k1', owner: '0xabc', scheme: 'ckks', params: { paramsId: 'p', polyModulusDegree: 8192, galoisSteps: [1, 2], relin: true }, bundle, size: bundle.length, createdAt: 1 })
      const k = await store.getKey('k1')
      expect(k?.bundle.equals(bundle)).toBe(true)
      expect(await store.getKey('nope')).toBeNull()
      const spec = { kind: 'logistic' as const, weights: [0.5, -1], bias: 0.25 }
      await store.putModel({ id: 'm1', owner: '0xabc', name: 'bc', kind: 'logistic', spec, commitment: '123', createdAt: 1 })
      await expect(store.putModel({ id: 'm1', owner: '0xabc', name: 'bc', kind: 'logistic', spec, commitment: null, createdAt: 2 })).rejects.toThrow()
      expect((await store.listModels()).map((m) => m.id)).toEqual(['m1'])
      expect((await store.getModel('m1'))?.spec).toEqual(spec) // decoded once, in the row mapper
      // models by weight commitment (indexed): the same weights twice, another once, none
      await store.putModel({ id: 'm0', owner: '0xdef', name: 'bc copy', kind: 'logistic', spec, commitment: '123', createdAt: 3 })
      await store.putModel({ id: 'm2', owner: '0xabc', name: 'other', kind: 'logistic', spec, commitment: '456', createdAt: 2 })
      expect((await store.findModelsByCommitment('123')).map((m) => m.id)).toEqual(['m1', 'm0'])
      expect((await store.findModelsByCommitment('456')).map((m) => m.id)).toEqual(['m2'])
      expect(await store.findModelsByCommitment('789')).toEqual([])
    } finally {
      await store.close()
      await drop()
    }
  })

  it('moves jobs by compare-and-set and enqueues the outbox atomically', async () => {
    const { store, drop } = await backend.open()
    try {
      await store.createJob(job('j1', 10))
      expect(await store.transitionJob('j1', ['queued'], { state: 'proving' }, 11)).toBe(true)
      expect(await store.transitionJob('j1', ['queued'], { state: 'proving' }, 12)).toBe(false)
      expect(await store.transitionJobWithOutbox('j1', ['proving'], { state: 'proved', result: proved }, outbox('o1', 'j1', 13), 13)).toBe(true)
      // a second proved transition must not enqueue a duplicate submission
      expect(await store.transitionJobWithOutbox('j1', ['proving'], { state: 'proved' }, outbox('o2', 'j1', 14), 14)).toBe(false)
      expect(await store.getOutbox('o2')).toBeNull()
      expect((await store.getJob('j1'))?.result).toEqual(proved) // decoded once, in the row mapper
      expect(await store.countJobs()).toMatchObject({ proved: 1, queued: 0 })
      expect(await store.countPendingOutbox()).toBe(1)
      const [claimed] = await store.claimOutbox(20, 10, 1000)
      expect(claimed?.attempts).toBe(1)
      expect(await store.claimOutbox(21, 10, 1000)).toEqual([]) // leased
      await store.retryOutbox('o1', 'chain down', 500, 22)
      expect(await store.claimOutbox(100, 10, 1000)).toEqual([]) // not yet due
      const [again] = await store.claimOutbox(500, 10, 1000)
      expect(again).toMatchObject({ attempts: 2, lastError: 'chain down' })
      await store.finishOutbox('o1', { txHash: `0x${'1'.repeat(64)}`, blockNumber: '7', chainId: 31337, registry: `0x${'2'.repeat(40)}` }, 600)
      expect(await store.countPendingOutbox()).toBe(0)
      expect((await store.listJobs(['proved'])).map((j) => j.id)).toEqual(['j1'])
    } finally {
      await store.close()
      await drop()
    }
  })

  it('updates MPC sessions optimistically and relays messages to their recipients', async () => {
    const { store, drop } = await backend.open()
    try {
      await store.createMpcSession({ id: 's1', creator: '0xabc', state: '{"v":0}', version: 0, createdAt: 1, updatedAt: 1 })
      const msg = (id: string, to: string) => ({ id, sessionId: 's1', round: 'shares', sender: 'a', recipient: to, payload: `ct-${id}`, createdAt: 2 })
      expect(await store.updateMpcSession('s1', 0, '{"v":1}', [msg('m1', 'b'), msg('m2', 'c'), msg('m3', '*')], 2)).toBe(true)
      expect(await store.updateMpcSession('s1', 0, '{"v":9}', [msg('m4', 'b')], 3)).toBe(false)
      const s = await store.getMpcSession('s1')
      expect(s).toMatchObject({ state: '{"v":1}', version: 1 })
      expect((await store.listMpcMessages('s1', 'b')).map((m) => m.id)).toEqual(['m1', 'm3'])
      expect((await store.listMpcMessages('s1', 'c', 'shares')).map((m) => m.id)).toEqual(['m2', 'm3'])
      expect(await store.listMpcMessages('s1', 'b', 'other')).toEqual([])
    } finally {
      await store.close()
      await drop()
    }
  })
})

describe('migrations', () => {
  it('are idempotent on SQLite', async () => {
    const { openSqlite } = await import('../src/store/sqlite-driver.js')
    const db = openSqlite(':memory:')
    expect(await migrate(db)).toEqual(migrations.map((m) => m.version))
    expect(await migrate(db)).toEqual([])
    await db.close()
  })
  it.skipIf(!pgUrl)('reject a bad PostgreSQL URL with an error, not a hang', async () => {
    await expect(openStore('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow()
  })
})

describe('row decoding', () => {
  it('turns a stored model that is not a model into a typed STORE_ROW_INVALID error naming the row', async () => {
    const db = openSqlite(':memory:')
    await migrate(db)
    await db.run('INSERT INTO models (id, owner, name, kind, spec, commitment, created_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['bad', '0xabc', 'x', 'logistic', '{"kind":"logistic"}', null, 1, null])
    await db.run('INSERT INTO models (id, owner, name, kind, spec, commitment, created_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['torn', '0xabc', 'y', 'logistic', '{"kind":', null, 2, null])
    const store = new SqlStore(db)
    try {
      const bad = await store.getModel('bad').catch((e: unknown) => e)
      expect(bad).toBeInstanceOf(StoreRowError)
      expect(bad).toMatchObject({ code: 'STORE_ROW_INVALID', shortMessage: 'stored models "bad" has an invalid "spec"' })
      await expect(store.getModel('torn')).rejects.toMatchObject({ code: 'STORE_ROW_INVALID', details: expect.stringContaining('not JSON') })
    } finally {
      await store.close()
    }
  })

  it('refuses a job row whose result does not match its kind, and a kind it does not know', async () => {
    const db = openSqlite(':memory:')
    await migrate(db)
    const insert = (id: string, kind: string, result: string | null) =>
      db.run('INSERT INTO jobs (id, owner, kind, model_id, state, input, result, error, tx_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [id, '0xabc', kind, null, 'proved', '{"input":[1],"salt":"1"}', result, null, null, 1, 1])
    await insert('no-proof', 'proven-inference', '{"circuit":"c"}')
    await insert('odd', 'teleport', null)
    const store = new SqlStore(db)
    try {
      await expect(store.getJob('no-proof')).rejects.toMatchObject({ code: 'STORE_ROW_INVALID', shortMessage: 'stored jobs "no-proof" has an invalid "result"' })
      await expect(store.getJob('odd')).rejects.toMatchObject({ code: 'STORE_ROW_INVALID', shortMessage: 'stored jobs "odd" has an invalid "kind"' })
    } finally {
      await store.close()
    }
  })
})
