import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { privateKeyToAccount } from 'viem/accounts'
import { GatewayHttp, PsiParticipant } from '@krain/client'
import { PsiPool } from '@krain/psi'
import { testGateway } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'
import { backends } from './helpers/stores.js'

const keys = hospitalKeys.slice(0, 3)
const addrs = keys.map((k) => privateKeyToAccount(k).address)

/** Three institutions' identifier lists, overlapping unevenly; the third holds a value per id. */
function lists(): { sets: string[][]; values: number[]; expected: { common: string[]; sum: bigint } } {
  const a = Array.from({ length: 60 }, (_, i) => `patient-${i}`)
  const b = Array.from({ length: 50 }, (_, i) => `patient-${i * 2}`) // evens < 100
  const c = [...Array.from({ length: 40 }, (_, i) => `patient-${i * 3}`), 'other-1', 'other-2'] // multiples of 3 < 120
  const values = c.map((_, i) => (i * 37) % 101)
  const inB = new Set(b)
  const inC = new Map(c.map((id, i) => [id, values[i]!]))
  const common = a.filter((x) => inB.has(x) && inC.has(x))
  return { sets: [a, b, c], values, expected: { common, sum: common.reduce((s, x) => s + BigInt(inC.get(x)!), 0n) } }
}

describe.each(backends)('PSI through the gateway on $name: 3 institutions', (backend) => {
  let app: FastifyInstance
  let url: string
  let drop: () => Promise<void>
  const pool = new PsiPool({ threads: 2 })
  beforeAll(async () => {
    const opened = await backend.open()
    drop = async () => {
      await opened.store.close()
      await opened.drop()
    }
    app = await testGateway({ store: opened.store })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
    await drop()
    await pool.close()
  })

  const run = async (mode: 'intersection' | 'cardinality' | 'sum') => {
    const { sets, values } = lists()
    const session = await PsiParticipant.createSession({ url, privateKey: keys[0]!, parties: addrs, mode })
    const progress: string[] = []
    const parties = keys.map(
      (privateKey, i) =>
        new PsiParticipant({ url, privateKey, sessionId: session.sessionId, ids: sets[i]!, values: mode === 'sum' && i === 2 ? values : undefined, chunkSize: 16, pool, paillierBits: 2048, waitMs: 2_000, onProgress: (p) => progress.push(`${i}:${p.step}:${p.stream}`) }),
    )
    const results = await Promise.all(parties.map((p) => p.run()))
    return { session, results, progress }
  }

  it('intersection: the leader learns exactly the identifiers in all three sets; the store holds no identifier', async () => {
    const { session, results, progress } = await run('intersection')
    const { expected } = lists()
    expect(results[0]).toEqual({ role: 'leader', mode: 'intersection', intersection: expected.common, cardinality: expected.common.length })
    expect(results[1]).toEqual({ role: 'forwarder', mode: 'intersection' })
    expect(progress.some((p) => p.startsWith('0:compare'))).toBe(true)
    const status = await new GatewayHttp({ url, account: privateKeyToAccount(keys[1]!) }).request<{ streams: { stream: string; last: boolean }[] }>('GET', `/v1/psi/sessions/${session.sessionId}`)
    expect(status.streams.length).toBeGreaterThanOrEqual(8)
    expect(status.streams.every((s) => s.last)).toBe(true)
    const dump = JSON.stringify(await app.store.dump(), (_k, v) => (Buffer.isBuffer(v) ? v.toString('latin1') : typeof v === 'bigint' ? String(v) : v))
    expect(dump).not.toMatch(/patient-/)
  })

  it('cardinality: only the count', async () => {
    const { results } = await run('cardinality')
    expect(results[0]).toEqual({ role: 'leader', mode: 'cardinality', cardinality: lists().expected.common.length })
    expect(results[0]!.intersection).toBeUndefined()
  })

  it('sum: the value holder learns the exact sum over the intersection, the leader the count', async () => {
    const { results } = await run('sum')
    const { expected } = lists()
    expect(results[0]).toEqual({ role: 'leader', mode: 'sum', cardinality: expected.common.length })
    expect(results[2]).toEqual({ role: 'value-holder', mode: 'sum', sum: expected.sum })
  }, 60_000)

  it('refuses a party not in the session, an impostor and a conflicting replay; an identical replay is idempotent', async () => {
    const session = await PsiParticipant.createSession({ url, privateKey: keys[0]!, parties: addrs.slice(0, 2), mode: 'intersection' })
    const outsiderKey = `0x${'77'.repeat(32)}` as const
    const outsider = new PsiParticipant({ url, privateKey: outsiderKey, sessionId: session.sessionId, ids: ['x'], pool })
    await expect(outsider.run()).rejects.toMatchObject({ code: 'PSI_NOT_A_PARTY' }) // (a verifier may read the status, not take part)
    const http = new GatewayHttp({ url, account: privateKeyToAccount(outsiderKey) })
    const path = `/v1/psi/sessions/${session.sessionId}/chunks`
    await expect(http.request('POST', path, { query: { to: addrs[0], stream: 'ring-0-1', index: 0, last: 'true' }, bytes: new Uint8Array(36) })).rejects.toMatchObject({ code: 'POLICY_DENIED', httpStatus: 403 })
    await expect(http.request('GET', path, { query: { from: addrs[0], stream: 'ring-0-1' } })).rejects.toMatchObject({ code: 'POLICY_DENIED', httpStatus: 403 })

    // party 0 posts its first (real) chunk; a replay of the same bytes is idempotent, other bytes are refused
    const { encodeFrame, MSG_BLINDED } = await import('@krain/psi')
    const sid = Buffer.from(session.sessionId, 'hex')
    const pts = await pool.hashAndBlind(['a', 'b'], Buffer.alloc(32, 9))
    const frame = (chunk: number, last: boolean, points: Uint8Array) => encodeFrame({ type: MSG_BLINDED, variant: 'intersection', last, sessionId: sid, chunk, points, values: new Uint8Array(0), valueBytes: 0 })
    const p0 = new GatewayHttp({ url, account: privateKeyToAccount(keys[0]!) })
    const q = (index: number, last: boolean) => ({ to: addrs[1], stream: 'ring-0-1', index, last: String(last) })
    expect(await p0.request('POST', path, { query: q(0, false), bytes: frame(0, false, pts) })).toEqual({ status: 'stored' })
    expect(await p0.request('POST', path, { query: q(0, false), bytes: frame(0, false, pts) })).toEqual({ status: 'duplicate' })
    const other = await pool.hashAndBlind(['c', 'd'], Buffer.alloc(32, 9))
    await expect(p0.request('POST', path, { query: q(0, false), bytes: frame(0, false, other) })).rejects.toMatchObject({ code: 'PSI_CHUNK_CONFLICT', httpStatus: 409 })
    await expect(p0.request('POST', path, { query: q(2, true), bytes: frame(2, true, other) })).rejects.toMatchObject({ code: 'PSI_OUT_OF_ORDER', httpStatus: 409 })
    expect(await p0.request('POST', path, { query: q(1, true), bytes: frame(1, true, other) })).toEqual({ status: 'stored' })
    await expect(p0.request('POST', path, { query: q(2, true), bytes: frame(2, true, other) })).rejects.toMatchObject({ code: 'PSI_STREAM_CLOSED' })
    // a frame of another session, a malformed frame, and a party posting to itself
    const foreign = encodeFrame({ type: MSG_BLINDED, variant: 'intersection', last: true, sessionId: Buffer.alloc(16, 1), chunk: 0, points: pts, values: new Uint8Array(0), valueBytes: 0 })
    await expect(p0.request('POST', path, { query: { ...q(0, true), stream: 'ring-0-2' }, bytes: foreign })).rejects.toMatchObject({ code: 'PSI_WRONG_SESSION', httpStatus: 400 })
    await expect(p0.request('POST', path, { query: { ...q(0, true), stream: 'ring-0-2' }, bytes: new Uint8Array(10) })).rejects.toMatchObject({ code: 'PSI_MALFORMED_MESSAGE', httpStatus: 400 })
    await expect(p0.request('POST', path, { query: { ...q(0, true), to: addrs[0] }, bytes: frame(0, true, pts) })).rejects.toMatchObject({ code: 'PSI_BAD_CHUNK' })
    // party 1 reads what was addressed to it, in order
    const p1 = new GatewayHttp({ url, account: privateKeyToAccount(keys[1]!) })
    const got = await p1.request<{ chunks: { index: number; data: string }[]; last: boolean }>('GET', path, { query: { from: addrs[0], stream: 'ring-0-1' } })
    expect(got.chunks.map((c) => c.index)).toEqual([0, 1])
    expect(got.last).toBe(true)
    expect(Buffer.from(got.chunks[0]!.data, 'base64').equals(Buffer.from(frame(0, false, pts)))).toBe(true)
    // bad sessions
    await expect(PsiParticipant.createSession({ url, privateKey: keys[0]!, parties: [addrs[0]!, addrs[0]!], mode: 'intersection' })).rejects.toMatchObject({ code: 'PSI_BAD_SESSION' })
    await expect(PsiParticipant.createSession({ url, privateKey: keys[0]!, parties: addrs, mode: 'sum', valueHolder: addrs[0] })).rejects.toMatchObject({ code: 'PSI_BAD_SESSION' })
  })
})
