import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Party, addressOf, decodeMessage, encodeMessage, toJsonForm, type Hex, type RosterMessage, type SessionConfig } from '@krain/mpc'
import { privateKeyToAccount } from 'viem/accounts'
import { GatewayHttp, MpcParticipant } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'
import { hospitalKeys, hospitalVectors, sumOf } from './helpers/hospitals.js'
import { backends } from './helpers/stores.js'

const CBOR = 'application/cbor'

describe.each(backends)('MPC binary transport (application/cbor) on $name', (backend) => {
  let app: FastifyInstance
  let url: string
  let drop: () => Promise<void>
  const creator = (): GatewayHttp => new GatewayHttp({ url, account: wallet(0) })
  const open = async (parties: Hex[], length: number, threshold: number): Promise<SessionConfig> =>
    creator().request<SessionConfig>('POST', '/v1/mpc/sessions', { body: { parties: parties.map((k) => addressOf(k)), threshold, length, bound: 1_000_000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } } })

  beforeAll(async () => {
    const opened = await backend.open()
    drop = async () => {
      await opened.store.close()
      await opened.drop()
    }
    app = await testGateway({ store: opened.store, config: { coordinatorKey: `0x${'c1'.repeat(32)}`, bulkBodyLimit: 64 << 10 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
    await drop()
  })

  it('a session of binary parties and one JSON party sums exactly; the log keeps the binary uploads as their bytes and replays them', async () => {
    const vectors = hospitalVectors(4).map((v) => v.slice(0, 24))
    const keys = hospitalKeys.slice(0, 4)
    const config = await open(keys, 24, 3)
    // hospitals 0-2 use the default (binary), hospital 3 is an older JSON client
    const hospitals = keys.map((privateKey, i) => new MpcParticipant({ url, privateKey, sessionId: config.sessionId, waitMs: 5_000, binary: i < 3 }))
    await Promise.all(hospitals.map((h) => h.join()))
    await Promise.all(hospitals.map((h, i) => h.share(vectors[i]!)))

    // the inbox in both forms carries the same message
    const http = new GatewayHttp({ url, account: privateKeyToAccount(keys[0]!) })
    const asJson = await http.request('GET', `/v1/mpc/sessions/${config.sessionId}/inbox`, { query: { waitMs: 5_000 } })
    const asCbor = await http.requestBytes('GET', `/v1/mpc/sessions/${config.sessionId}/inbox`, { accept: CBOR })
    expect(asCbor.contentType).toBe(CBOR)
    expect(toJsonForm(decodeMessage(asCbor.bytes))).toEqual(asJson)
    expect(asCbor.bytes.length).toBeLessThan(JSON.stringify(asJson).length)
    const roster = await http.requestBytes('GET', `/v1/mpc/sessions/${config.sessionId}/roster`, { accept: `${CBOR}, application/json;q=0.5` })
    expect(decodeMessage(roster.bytes)).toEqual(await http.request('GET', `/v1/mpc/sessions/${config.sessionId}/roster`))
    expect((await http.requestBytes('GET', `/v1/mpc/sessions/${config.sessionId}/roster`, { accept: `${CBOR};q=0, application/json` })).contentType).toBe('application/json')

    await Promise.all(hospitals.map((h) => h.sum()))
    const result = await hospitals[3]!.result()
    const expected = sumOf(vectors)
    result.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
    expect(result.contributors).toEqual(keys.map((k) => addressOf(k)))

    const log = await app.store.listMpcMessages(config.sessionId, 'coordinator', 'log')
    const binary = log.filter((m) => m.payloadBin)
    expect(binary).toHaveLength(6) // shares + sum-share of hospitals 0-2; joins and hospital 3 are JSON
    expect(new Set(binary.map((m) => m.sender))).toEqual(new Set(keys.slice(0, 3).map((k) => addressOf(k))))
    for (const m of binary) expect(JSON.parse(m.payload)).toMatchObject({ kind: 'receive', message: null, wire: 'cbor' })
    // a restarted coordinator rebuilds the same state from the stored bytes
    const live = await app.mpc.inspect(config.sessionId)
    app.mpc.forget(config.sessionId)
    expect(await app.mpc.inspect(config.sessionId)).toEqual(live)
  })

  it('refuses a tampered, truncated, mistyped, oversized or anonymous binary upload with a typed 4xx, and stores nothing', async () => {
    const keys = hospitalKeys.slice(0, 3)
    const config = await open(keys, 16, 2)
    const https = keys.map((k) => new GatewayHttp({ url, account: privateKeyToAccount(k) }))
    const parties = keys.map((identityKey) => new Party({ config, identityKey }))
    for (const [i, p] of parties.entries()) await https[i]!.request('POST', `/v1/mpc/sessions/${config.sessionId}/join`, { bytes: encodeMessage(p.join()), contentType: CBOR })
    const roster = await https[0]!.request<RosterMessage>('GET', `/v1/mpc/sessions/${config.sessionId}/roster`)
    const shares = parties[0]!.share(Array.from({ length: 16 }, (_, i) => i), roster)
    const bytes = encodeMessage(shares)
    const path = `/v1/mpc/sessions/${config.sessionId}/shares`
    const logLength = async (): Promise<number> => (await app.store.listMpcMessages(config.sessionId, 'coordinator', 'log')).length
    const before = await logLength()
    const post = (body: Uint8Array, contentType = CBOR, http = https[0]!): Promise<unknown> => http.request('POST', path, { bytes: body, contentType })

    // a flipped byte inside a ciphertext: the signed manifest no longer matches
    const ct = Buffer.from(shares.shares[0]!.ciphertext)
    const ctAt = Buffer.from(bytes).indexOf(ct)
    expect(ctAt).toBeGreaterThan(0)
    const inCiphertext = bytes.slice()
    inCiphertext[ctAt + 40]! ^= 0x40
    expect(decodeMessage(inCiphertext)).not.toEqual(shares)
    await expect(post(inCiphertext)).rejects.toMatchObject({ code: 'MPC_BAD_SIGNATURE', httpStatus: 401 })
    // a flipped byte anywhere: always a typed 4xx (bad signature, malformed message, not one's own message)
    for (let at = 0; at < bytes.length; at += Math.max(1, Math.floor(ct.length / 7))) {
      const tampered = bytes.slice()
      tampered[at]! ^= 0x01
      const e = (await post(tampered).catch((x: unknown) => x)) as { httpStatus?: number; code?: string }
      expect(e.httpStatus, `byte ${at}`).toBeGreaterThanOrEqual(400)
      expect(e.httpStatus, `byte ${at}`).toBeLessThan(500)
      expect(['MPC_BAD_SIGNATURE', 'MPC_MALFORMED_MESSAGE', 'POLICY_DENIED', 'MPC_WRONG_SESSION', 'MPC_UNKNOWN_PARTY', 'VALIDATION_FAILED', 'NOT_FOUND'], `byte ${at}`).toContain(e.code)
    }
    // truncated CBOR, trailing junk, not CBOR at all
    await expect(post(bytes.subarray(0, bytes.length - 10))).rejects.toMatchObject({ code: 'MPC_MALFORMED_MESSAGE', httpStatus: 400 })
    await expect(post(new Uint8Array([...bytes, 0]))).rejects.toMatchObject({ code: 'MPC_MALFORMED_MESSAGE', httpStatus: 400 })
    await expect(post(new TextEncoder().encode(JSON.stringify({ message: toJsonForm(shares) })))).rejects.toMatchObject({ code: 'MPC_MALFORMED_MESSAGE', httpStatus: 400 })
    // the right bytes under another media type
    await expect(post(bytes, 'application/x-krain')).rejects.toMatchObject({ httpStatus: 415 })
    await expect(post(bytes, 'application/octet-stream')).rejects.toMatchObject({ httpStatus: 400 })
    // above the route's limit: refused from Content-Length; anonymous: refused from the headers
    await expect(post(new Uint8Array(80 << 10))).rejects.toMatchObject({ httpStatus: 413 })
    const anonymous = await fetch(`${url}${path}`, { method: 'POST', body: bytes, headers: { 'content-type': CBOR } })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ code: 'AUTH_REQUIRED' })
    // another party cannot upload party 0's message
    await expect(post(bytes, CBOR, https[1]!)).rejects.toMatchObject({ code: 'POLICY_DENIED', httpStatus: 403 })

    expect(await logLength()).toBe(before)
    expect((await creator().request<{ uploaded: string[] }>('GET', `/v1/mpc/sessions/${config.sessionId}`)).uploaded).toEqual([])

    // the genuine bytes are accepted once, then a duplicate
    expect(await post(bytes)).toMatchObject({ status: 'accepted' })
    expect(await post(bytes)).toMatchObject({ status: 'duplicate' })
    expect(await logLength()).toBe(before + 1)
  })
})
