/**
 * Issue 12, item 3 over HTTP: a sum that only exactly t sum-shares support is not released unless
 * the session opted in, and the SDK refuses it unless its caller accepts it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addressOf } from '@krain/mpc'
import { MpcParticipant, GatewayHttp } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'

describe('MPC results that could not be cross-checked', () => {
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    app = await testGateway({ config: { coordinatorKey: `0x${'c1'.repeat(32)}` } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
  })

  /** 3 hospitals, t = 2; the third drops after sharing, so exactly 2 sum-shares arrive. */
  async function runWithTwoSumShares(allowUnverified: boolean): Promise<{ hospitals: MpcParticipant[]; creator: GatewayHttp; id: `0x${string}` }> {
    const creator = new GatewayHttp({ url, account: wallet(0) })
    const keys = hospitalKeys.slice(0, 3)
    const config = await creator.request<{ sessionId: `0x${string}`; allowUnverified?: boolean }>('POST', '/v1/mpc/sessions', {
      body: { parties: keys.map((k) => addressOf(k)), threshold: 2, length: 2, bound: 100, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 }, ...(allowUnverified ? { allowUnverified } : {}) },
    })
    expect(config.allowUnverified).toBe(allowUnverified ? true : undefined)
    const hospitals = keys.map((privateKey) => new MpcParticipant({ url, privateKey, sessionId: config.sessionId, waitMs: 5_000 }))
    await Promise.all(hospitals.map((h) => h.join()))
    await Promise.all(hospitals.map((h, i) => h.share([i, -i])))
    await Promise.all(hospitals.slice(0, 2).map((h) => h.sum()))
    expect(await creator.request<{ phase: string }>('POST', `/v1/mpc/sessions/${config.sessionId}/close`)).toEqual({ phase: allowUnverified ? 'done' : 'failed' })
    return { hospitals, creator, id: config.sessionId }
  }

  it('refuses the sum with MPC_RESULT_UNVERIFIED when the session did not opt in', async () => {
    const { hospitals, creator, id } = await runWithTwoSumShares(false)
    await expect(hospitals[0]!.result()).rejects.toMatchObject({ code: 'MPC_RESULT_UNVERIFIED' })
    await expect(hospitals[0]!.result({ allowUnverified: true })).rejects.toMatchObject({ code: 'MPC_RESULT_UNVERIFIED' })
    const status = await creator.request<{ phase: string; failure: { code: string } }>('GET', `/v1/mpc/sessions/${id}`)
    expect(status).toMatchObject({ phase: 'failed', failure: { code: 'MPC_RESULT_UNVERIFIED' } })
  })

  it('releases it marked verified: false when the session opted in, and the SDK wants the caller to accept it too', async () => {
    const { hospitals } = await runWithTwoSumShares(true)
    await expect(hospitals[1]!.result()).rejects.toMatchObject({ code: 'MPC_RESULT_UNVERIFIED' })
    const r = await hospitals[1]!.result({ allowUnverified: true })
    expect(r).toMatchObject({ verified: false, liarTolerance: 0, values: [0 + 1 + 2, -(0 + 1 + 2)] })
  })
})
