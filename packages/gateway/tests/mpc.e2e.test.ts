import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addressOf } from '@krain/mpc'
import { privateKeyToAccount } from 'viem/accounts'
import { MpcParticipant, GatewayHttp, KrainHttpError } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'
import { hospitalKeys, hospitalVectors, sumOf } from './helpers/hospitals.js'
import { backends } from './helpers/stores.js'

describe.each(backends)('MPC over HTTP on $name: 5 hospitals aggregate breast_cancer slices, one drops out', (backend) => {
  let app: FastifyInstance
  let url: string
  let drop: () => Promise<void>
  beforeAll(async () => {
    const opened = await backend.open()
    drop = async () => {
      await opened.store.close()
      await opened.drop()
    }
    app = await testGateway({ store: opened.store, config: { coordinatorKey: `0x${'c0'.repeat(32)}` } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
    await drop()
  })

  it('computes the sum of the 4 contributors exactly, and the store holds no secret', async () => {
    const vectors = hospitalVectors()
    const creator = new GatewayHttp({ url, account: wallet(0) })
    const parties = hospitalKeys.map((k) => addressOf(k))
    const config = await creator.request<{ sessionId: `0x${string}`; coordinator: string }>('POST', '/v1/mpc/sessions', {
      body: { parties, threshold: 3, length: 32, bound: 1_000_000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } },
    })
    expect(config.coordinator).toBe(addressOf(`0x${'c0'.repeat(32)}`))
    const hospitals = hospitalKeys.map((privateKey) => new MpcParticipant({ url, privateKey, sessionId: config.sessionId, waitMs: 5_000 }))

    // an outsider cannot join, a party cannot speak for another
    const outsider = new MpcParticipant({ url, privateKey: `0x${'77'.repeat(32)}`, sessionId: config.sessionId })
    await expect(outsider.join()).rejects.toMatchObject({ code: 'MPC_UNKNOWN_PARTY' }) // refused locally by Party
    const forged = { type: 'join', sessionId: config.sessionId, from: privateKeyToAccount(`0x${'77'.repeat(32)}`).address, encryptionKey: Buffer.alloc(32, 1).toString('base64'), signature: `0x${'11'.repeat(65)}` }
    await expect(outsider.http.request('POST', `/v1/mpc/sessions/${config.sessionId}/join`, { body: { message: forged } })).rejects.toMatchObject({ httpStatus: 403 })

    await Promise.all(hospitals.map((h) => h.join()))
    const impostor = new GatewayHttp({ url, account: privateKeyToAccount(hospitalKeys[1]!) })
    const joinOf0 = hospitals[0]!.toJSON()!.join
    await expect(impostor.request('POST', `/v1/mpc/sessions/${config.sessionId}/join`, { body: { message: joinOf0 } })).rejects.toMatchObject({ code: 'POLICY_DENIED', httpStatus: 403 })

    // hospital 5 drops out after joining: it never uploads shares
    await Promise.all(hospitals.slice(0, 4).map((h, i) => h.share(vectors[i]!)))
    const early = await creator.request<{ phase: string; uploaded: string[] }>('GET', `/v1/mpc/sessions/${config.sessionId}`)
    expect(early).toMatchObject({ phase: 'share' })
    expect(early.uploaded).toHaveLength(4)
    await expect(new GatewayHttp({ url, account: wallet(5) }).request('POST', `/v1/mpc/sessions/${config.sessionId}/close`)).rejects.toMatchObject({ code: 'POLICY_DENIED' })
    expect(await creator.request<{ phase: string }>('POST', `/v1/mpc/sessions/${config.sessionId}/close`)).toEqual({ phase: 'sum' })

    await Promise.all(hospitals.slice(0, 4).map((h) => h.sum()))
    expect(await creator.request<{ phase: string }>('POST', `/v1/mpc/sessions/${config.sessionId}/close`)).toEqual({ phase: 'done' })
    const result = await hospitals[0]!.result()
    expect(result.contributors).toEqual(parties.slice(0, 4))
    expect(result.verified).toBe(true)
    expect(result.cheaters).toEqual([])
    const expected = sumOf(vectors.slice(0, 4))
    result.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
    expect(result.values[30]).toBe(456) // 4 × 114 rows

    // the dropped hospital cannot still contribute
    await expect(hospitals[4]!.share(vectors[4]!)).rejects.toBeInstanceOf(KrainHttpError)

    // Secrecy scan: no identity key, no X25519 private key, no plaintext share anywhere in the store
    const secrets: string[] = []
    for (const [i, h] of hospitals.entries()) {
      const s = h.toJSON()!
      secrets.push(hospitalKeys[i]!.slice(2), s.encryption.privateKey)
      if (s.ownShare) secrets.push(s.ownShare)
    }
    secrets.push('c0'.repeat(32))
    const dump = JSON.stringify(await app.store.dump())
    expect(dump.length).toBeGreaterThan(10_000) // the ciphertexts are there
    for (const s of secrets) expect(dump.toLowerCase()).not.toContain(s.toLowerCase())
  })
})
