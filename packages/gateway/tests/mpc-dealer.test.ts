/**
 * Issue 12, item 3 over HTTP: a dealer that signs an invalid share for one hospital is blamed
 * (the hospital's SDK sends the signed complaint), the hospital is not, and the sum still comes out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { privateKeyToAccount } from 'viem/accounts'
import { Party, addressOf, toJsonForm, sharesDigest, sharesManifest, signDigest, type AggregateResult, type RosterMessage, type SessionConfig, type SharesMessage } from '@krain/mpc'
import { MpcParticipant, GatewayHttp } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'

describe('MPC dealer complaints over HTTP', () => {
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    app = await testGateway({ config: { coordinatorKey: `0x${'c2'.repeat(32)}` } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app.close()
  })

  it('blames the dealer, not the hospital that received its invalid share', async () => {
    const creator = new GatewayHttp({ url, account: wallet(0) })
    const keys = hospitalKeys.slice(0, 4)
    const parties = keys.map((k) => addressOf(k))
    const { sessionId } = await creator.request<{ sessionId: `0x${string}` }>('POST', '/v1/mpc/sessions', { body: { parties, threshold: 2, length: 2, bound: 100, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } } })
    // hospitals 1..3 use the SDK; hospital 0 deals by hand and corrupts its (signed) share to hospital 3
    const honest = keys.slice(1).map((privateKey) => new MpcParticipant({ url, privateKey, sessionId, waitMs: 5_000 }))
    const dealerHttp = new GatewayHttp({ url, account: privateKeyToAccount(keys[0]!) })
    const { config } = await dealerHttp.request<{ config: SessionConfig }>('GET', `/v1/mpc/sessions/${sessionId}`)
    const dealer = new Party({ config, identityKey: keys[0]! })
    await dealerHttp.request('POST', `/v1/mpc/sessions/${sessionId}/join`, { body: { message: dealer.join() } })
    await Promise.all(honest.map((h) => h.join()))
    const roster = await dealerHttp.request<RosterMessage>('GET', `/v1/mpc/sessions/${sessionId}/roster`, { query: { waitMs: 5_000 } })
    const up = dealer.share([10, -10], roster)
    const shares = up.shares.map((s) => (s.to === parties[3] ? { ...s, ciphertext: flip(s.ciphertext, 40) } : s))
    const cheat: SharesMessage = { ...up, shares, signature: signDigest(keys[0]!, sharesDigest(up.sessionId, up.from, sharesManifest({ shares }))) }
    await dealerHttp.request('POST', `/v1/mpc/sessions/${sessionId}/shares`, { body: { message: toJsonForm(cheat) } })
    await Promise.all(honest.map((h, i) => h.share([i + 1, i + 1])))
    const sums = await Promise.all(honest.map((h) => h.sum()))
    expect(sums).toEqual([{}, {}, { complainedAbout: parties[0] }])
    const bundle = await dealerHttp.request<Parameters<Party['sum']>[0]>('GET', `/v1/mpc/sessions/${sessionId}/inbox`, { query: { waitMs: 5_000 } })
    await dealerHttp.request('POST', `/v1/mpc/sessions/${sessionId}/sum-share`, { body: { message: toJsonForm(dealer.sum(bundle)) } })
    // (everyone answered: the round closed by itself)
    expect(await creator.request<{ phase: string }>('GET', `/v1/mpc/sessions/${sessionId}`)).toMatchObject({ phase: 'done' })
    const r: AggregateResult = await honest[0]!.result()
    expect(r.dealersBlamed).toEqual([parties[0]])
    expect(r.cheaters).toEqual([])
    expect(r.verified).toBe(true)
    expect(r.values).toEqual([10 + 1 + 2 + 3, -10 + 1 + 2 + 3])
  })
})

function flip(ciphertext: Uint8Array, at: number): Uint8Array {
  const b = Uint8Array.from(ciphertext)
  b[at]! ^= 0x5a
  return b
}
