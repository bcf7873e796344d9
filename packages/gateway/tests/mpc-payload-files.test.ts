/**
 * A SQLite file store keeps large MPC payloads as files beside the database
 * (`store/payload-files.ts`): a session still sums exactly and replays from them, a damaged file is
 * a typed error (not a wrong state), a transaction that does not commit leaves no file, and only
 * old unreferenced files are swept. The aggregate in its binary form equals its JSON.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addressOf, decodeResult, type AggregateResult, type SessionConfig } from '@krain/mpc'
import { privateKeyToAccount } from 'viem/accounts'
import { GatewayHttp, MpcParticipant } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'
import { openStore, type SqlStore } from '../src/store/sql-store.js'
import { PAYLOAD_FILE_FROM } from '../src/store/payload-files.js'

const CBOR = 'application/cbor'
// 3 parties × 20,000 values: a share upload is ~320 KB (a file), a sum-share ~107 KB (in its row)
const LENGTH = 20_000

describe('MPC payloads of a SQLite file store', () => {
  let dir: string
  let dbPath: string
  let payloadDir: string
  let app: FastifyInstance
  let url: string
  const files = (): string[] => readdirSync(payloadDir).sort()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'krain-payloads-'))
    dbPath = join(dir, 'krain.db')
    payloadDir = `${dbPath}-payloads`
    app = await testGateway({ store: await openStore(dbPath), config: { coordinatorKey: `0x${'c1'.repeat(32)}` } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
    await app.store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a session sums exactly with its share uploads in files, replays from them, and refuses a damaged one with a typed error', async () => {
    const keys = hospitalKeys.slice(0, 3)
    const vectors = keys.map((_, h) => Array.from({ length: LENGTH }, (_, j) => ((j * 31 + h * 7) % 2001) - 1000))
    const config = await new GatewayHttp({ url, account: wallet(0) }).request<SessionConfig>('POST', '/v1/mpc/sessions', {
      body: { parties: keys.map((k) => addressOf(k)), threshold: 2, length: LENGTH, bound: 1000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } },
    })
    const before = files().length
    const results = await Promise.all(keys.map((privateKey) => new MpcParticipant({ url, privateKey, sessionId: config.sessionId, waitMs: 10_000 }).run(vectors[keys.indexOf(privateKey)]!)))
    for (const r of results) for (let j = 0; j < LENGTH; j += 997) expect(r.values[j]).toBeCloseTo(vectors.reduce((a, v) => a + v[j]!, 0), 6)

    // the three share uploads went to files (each whole, mode 0600); the sum-shares stayed in their rows
    const written = files().slice(before)
    expect(files()).toHaveLength(before + 3)
    const log = await app.store.listMpcMessages(config.sessionId, 'coordinator', 'log')
    const uploads = log.filter((m) => m.payloadBin && m.payloadBin.length >= PAYLOAD_FILE_FROM)
    expect(uploads).toHaveLength(3)
    expect(log.filter((m) => m.payloadBin && m.payloadBin.length < PAYLOAD_FILE_FROM)).toHaveLength(3)
    const sizes = files().map((f) => statSync(join(payloadDir, f)).size)
    for (const u of uploads) expect(sizes).toContain(u.payloadBin!.length)
    for (const f of files()) expect(statSync(join(payloadDir, f)).mode & 0o777).toBe(0o600)
    // the store's dump shows the bytes in their row, as for a payload kept in the database
    const dumped = (await (app.store as SqlStore).dump()).mpc_messages!.filter((r) => r.payload_file)
    expect(dumped).toHaveLength(3)
    for (const r of dumped) expect((r.payload_bin as Uint8Array).length).toBe(Number(String(r.payload_file).split(':')[1]))

    // the aggregate as CBOR is the JSON one
    const http = new GatewayHttp({ url, account: privateKeyToAccount(keys[0]!) })
    const asJson = await http.request<AggregateResult>('GET', `/v1/mpc/sessions/${config.sessionId}/result`)
    const asCbor = await http.requestBytes('GET', `/v1/mpc/sessions/${config.sessionId}/result`, { accept: CBOR })
    expect(asCbor.contentType).toBe(CBOR)
    expect(decodeResult(asCbor.bytes)).toEqual(asJson)
    expect(results[0]).toEqual(asJson)

    // a coordinator rebuilt from the log reads the files and reaches the same state
    const live = await app.mpc.inspect(config.sessionId)
    app.mpc.forget(config.sessionId)
    expect(await app.mpc.inspect(config.sessionId)).toEqual(live)

    // a file cut short is refused with a typed error naming the row; restored, the session loads again
    const victim = join(payloadDir, written[0]!)
    const original = readFileSync(victim)
    truncateSync(victim, original.length - 1)
    app.mpc.forget(config.sessionId)
    await expect(app.mpc.inspect(config.sessionId)).rejects.toMatchObject({ code: 'STORE_ROW_INVALID' })
    rmSync(victim)
    app.mpc.forget(config.sessionId)
    await expect(app.mpc.inspect(config.sessionId)).rejects.toMatchObject({ code: 'STORE_ROW_INVALID' })
    writeFileSync(victim, original, { mode: 0o600 })
    app.mpc.forget(config.sessionId)
    expect(await app.mpc.inspect(config.sessionId)).toEqual(live)
  })

  it('a transaction that does not commit leaves no file; only old unreferenced files are swept', async () => {
    const store = app.store as SqlStore
    const big = (seed: number): Uint8Array => new Uint8Array(PAYLOAD_FILE_FROM + 10).fill(seed)
    const msg = (id: string, payloadBin: Uint8Array) => ({ id, sessionId: 'px', round: 'log', sender: 'a', recipient: 'coordinator', payload: '{}', createdAt: 1, payloadBin })
    await store.createMpcSession({ id: 'px', creator: '0xabc', state: '{}', version: 0, createdAt: 1, updatedAt: 1 })
    const before = files()
    expect(await store.updateMpcSession('px', 0, '{}', [msg('px:1', big(1))], 2)).toBe(true)
    expect(files()).toHaveLength(before.length + 1)
    // a stale version loses the compare-and-set: its payload file is removed again
    expect(await store.updateMpcSession('px', 0, '{}', [msg('px:2', big(2))], 3)).toBe(false)
    expect(files()).toHaveLength(before.length + 1)
    expect(new Uint8Array((await store.listMpcMessages('px', 'coordinator', 'log'))[0]!.payloadBin!)).toEqual(big(1))

    // orphans: one an hour old and one fresh (a writer may be about to commit it)
    const old = join(payloadDir, 'ab'.repeat(16))
    const fresh = join(payloadDir, 'cd'.repeat(16))
    writeFileSync(old, 'x')
    writeFileSync(fresh, 'y')
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    utimesSync(old, twoHoursAgo, twoHoursAgo)
    const referenced = files().filter((f) => f !== 'ab'.repeat(16) && f !== 'cd'.repeat(16))
    for (const f of referenced) utimesSync(join(payloadDir, f), twoHoursAgo, twoHoursAgo) // old, but referenced: kept
    expect(await store.sweepPayloadFiles()).toBe(1)
    expect(files()).toEqual([...referenced, 'cd'.repeat(16)].sort())
    expect(new Uint8Array((await store.listMpcMessages('px', 'coordinator', 'log'))[0]!.payloadBin!)).toEqual(big(1))
  })
})

describe('MPC payloads in other stores', () => {
  it('an in-memory SQLite store keeps large payloads in their rows (nothing outlives it)', async () => {
    const store = (await openStore(':memory:')) as SqlStore
    await store.createMpcSession({ id: 'm', creator: '0xabc', state: '{}', version: 0, createdAt: 1, updatedAt: 1 })
    const payloadBin = new Uint8Array(PAYLOAD_FILE_FROM * 2).fill(7)
    expect(await store.updateMpcSession('m', 0, '{}', [{ id: 'm:1', sessionId: 'm', round: 'log', sender: 'a', recipient: 'coordinator', payload: '{}', createdAt: 1, payloadBin }], 2)).toBe(true)
    const [row] = (await store.dump()).mpc_messages!
    expect(row!.payload_file).toBeNull()
    expect((row!.payload_bin as Uint8Array).length).toBe(payloadBin.length)
    expect(await store.sweepPayloadFiles()).toBe(0)
    await store.close()
  })
})

