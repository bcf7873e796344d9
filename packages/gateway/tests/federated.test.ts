/**
 * Federated training through a real gateway (issue 13): three hospitals with label-skewed
 * breast_cancer rows consent (EIP-712), train together over SecAgg relayed by the gateway, one
 * drops in a round, the gateway restarts mid-session, the model registers and serves an encrypted
 * inference; a replayed old-round message and an over-bound update are refused with typed errors;
 * the audit log exports, verifies offline, and a tampered copy fails at the first altered entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask, predictLabel } from '@krain/models'
import { signConsent, verifyLog, type AuditLogExport } from '@krain/audit'
import { FederatedParticipant, KrainClient, type FederatedProgress } from '@krain/client'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '@krain/mpc'
import { openStore } from '../src/store/sql-store.js'
import type { Store } from '../src/store/types.js'
import { testGateway, wallet } from './helpers/app.js'

const keys: Hex[] = [1, 2, 3].map((i) => `0x${(0xfed000n + BigInt(i)).toString(16).padStart(64, '0')}` as Hex)
const addresses = keys.map((k) => privateKeyToAccount(k).address)

/** Label-skewed split: hospital 0 mostly benign, 1 mostly malignant, 2 mixed. */
function skewed(): { x: number[][]; y: number[] }[] {
  const t = breastCancerTask()
  const parts = [0, 1, 2].map(() => ({ x: [] as number[][], y: [] as number[] }))
  t.train.x.forEach((row, i) => {
    const y = t.train.y[i]!
    const h = i % 5 === 0 ? 2 : y === 1 ? (i % 4 === 0 ? 1 : 0) : i % 4 === 0 ? 0 : 1
    parts[h]!.x.push(row)
    parts[h]!.y.push(y)
  })
  return parts
}

describe('federated training through the gateway', () => {
  let store: Store
  let app: FastifyInstance
  let url: string
  let port = 0
  const start = async (): Promise<void> => {
    app = await testGateway({ store })
    await app.listen({ host: '127.0.0.1', port })
    port = (app.server.address() as { port: number }).port
    url = `http://127.0.0.1:${port}`
  }
  beforeAll(async () => {
    store = await openStore(':memory:')
    await start()
  })
  afterAll(async () => {
    await app.close()
    await store.close()
  })

  it('3 hospitals train, one drops and rejoins, the gateway restarts, the model registers and serves an encrypted inference; the audit log verifies', async () => {
    const task = breastCancerTask()
    const creator = new KrainClient({ url, account: wallet(70) })
    const expiry = Math.floor(Date.now() / 1000) + 3600
    const created = await creator.http.request<{ id: string; phase: string }>('POST', '/v1/federated/sessions', {
      body: {
        name: 'bc-fed',
        model: { kind: 'logistic', weights: new Array(30).fill(0), bias: 0 },
        hospitals: addresses,
        rounds: 4,
        threshold: 2,
        algorithm: 'fedprox',
        mu: 0.01,
        clip: 50,
        localEpochs: 2,
        learningRate: 0.1,
        consent: { purpose: 'breast cancer risk model', computation: 'fedprox logistic regression over secagg', expiry },
      },
    })
    expect(created.phase).toBe('joining')
    const id = created.id
    const parts = skewed()
    const progress: FederatedProgress[] = []
    // hospital 1's requests are recorded, to replay one later
    const sent: { url: string; body: string }[] = []
    const recording: typeof fetch = (input, init) => {
      if (init?.method === 'POST' && typeof init.body === 'string') sent.push({ url: String(input), body: init.body })
      return fetch(input, init)
    }
    const hs = keys.map((k, i) => new FederatedParticipant({ url, privateKey: k, sessionId: id, x: parts[i]!.x, y: parts[i]!.y, onProgress: (p) => progress.push(p), ...(i === 0 ? { fetch: recording } : {}) }))
    for (const h of hs) await h.join()
    expect((await hs[0]!.status()).phase).toBe('shares')

    // round 1: everyone
    const round = async (skip: number | null = null): Promise<void> => {
      for (let step = 0; step < 3; step++) for (const [i, h] of hs.entries()) await h.step({ skip: i === skip && step >= 1 })
    }
    await round()
    let s = await hs[0]!.status()
    expect(s.round).toBe(1)
    // a replayed round-1 message is refused with a typed error
    const old = sent.find((r) => r.url.endsWith('/secagg/shares'))!
    const replay = await hs[0]!.http.request('POST', `/v1/federated/sessions/${id}/secagg/shares`, { body: JSON.parse(old.body) }).catch((e: { code?: string }) => e)
    expect((replay as { code?: string }).code).toBe('FED_REPLAYED_MESSAGE')

    // round 2: hospital 3 shares its seeds, then drops before masking; the creator closes the step
    for (const h of hs) await h.step()
    await hs[0]!.step()
    await hs[1]!.step()
    await hs[2]!.step({ skip: true })
    expect((await hs[0]!.status()).phase).toBe('masked')
    await creator.http.request('POST', `/v1/federated/sessions/${id}/close`)
    for (const h of hs) await h.step()
    s = await hs[0]!.status()
    expect(s.round).toBe(2)
    expect((s as unknown as { history: { contributors: string[] }[] }).history.at(-1)!.contributors).toEqual([addresses[0]!.toLowerCase(), addresses[1]!.toLowerCase()])

    // the gateway restarts mid-session (same store): round state is rebuilt from the event log
    await app.close()
    await start()

    // round 3: hospital 3 rejoins with the same long-term keys
    await round()
    s = await hs[0]!.status()
    expect(s.round).toBe(3)
    expect((s as unknown as { history: { contributors: string[] }[] }).history.at(-1)!.contributors).toHaveLength(3)

    // round 4: hospital 1 lies about its clip (update far past the bound): the round is discarded
    for (const h of hs) await h.step()
    const P = 31
    const lie = new Array<number>(P + 1).fill(0)
    lie[0] = 50 * 10_000 * 0.99
    lie[P] = 10
    await hs[0]!.stepWithValues(lie)
    await hs[1]!.step()
    await hs[2]!.step()
    const refusals: string[] = []
    for (const h of hs) await h.step().catch((e: { code?: string }) => refusals.push(e.code ?? 'none'))
    expect(refusals).toEqual(['FED_NORM_EXCEEDED'])
    s = await hs[0]!.status()
    expect(s.round).toBe(3)
    expect(s.phase).toBe('shares')
    // the retry, honest
    await round()
    s = await hs[0]!.status()
    expect(s.round).toBe(4)
    expect(s.phase).toBe('done')
    expect(progress.some((p) => p.round === 2 && p.rounds === 4)).toBe(true)

    // the gateway saw only masked vectors: no hospital's update is in its store in the clear
    const dump = JSON.stringify(await store.dump())
    expect(dump).not.toContain(JSON.stringify(parts[0]!.x[0]))

    // register the joint model and run an encrypted inference against it
    const reg = await creator.http.request<{ id: string }>('POST', `/v1/federated/sessions/${id}/register`, { body: { name: 'bc-federated' } })
    const result = await creator.http.request<{ model: Parameters<typeof predictLabel>[0] }>('GET', `/v1/federated/sessions/${id}/result`)
    const acc = task.test.x.filter((r, i) => predictLabel(result.model, r) === task.test.y[i]).length / task.test.x.length
    expect(acc).toBeGreaterThan(0.9)
    const agent = new KrainClient({ url, account: wallet(71) })
    const rows = task.test.x.slice(0, 8)
    const { scores } = await agent.inferEncrypted({ modelId: reg.id, rows, inputBound: 10 })
    rows.forEach((r, i) => expect(scores[i]![0]! >= 0 ? 1 : 0).toBe(predictLabel(result.model, r)))
    agent[Symbol.dispose]()

    // the audit log: every use, gateway-signed, the hospitals' co-signatures on their consent
    const log = await creator.http.request<AuditLogExport>('GET', `/v1/audit/${id}`)
    const kinds = log.entries.map((e) => e.kind)
    expect(kinds[0]).toBe('session-created')
    expect(kinds.filter((k) => k === 'consent-given')).toHaveLength(3)
    expect(kinds.filter((k) => k === 'round-aggregated')).toHaveLength(4)
    expect(kinds.slice(-2)).toEqual(['result-released', 'model-registered'])
    expect(log.entries.filter((e) => e.kind === 'consent-given').every((e) => typeof e.actorSignature === 'string')).toBe(true)
    expect(verifyLog(log, { ownerPublicKey: log.owner })).toMatchObject({ valid: true })
    const tampered = structuredClone(log)
    tampered.entries[5]!.time += 1
    expect(verifyLog(tampered, { ownerPublicKey: log.owner })).toMatchObject({ valid: false, firstInvalid: 5 })
  }, 90_000)

  it('reports ε spent and refuses a round past the DP budget (FED_BUDGET_EXHAUSTED)', async () => {
    const { epsilonOf } = await import('@krain/federated')
    const z = 2
    const budget = (epsilonOf([z], 1e-5) + epsilonOf([z, z], 1e-5)) / 2 // one round fits, two do not
    const creator = new KrainClient({ url, account: wallet(73) })
    const created = await creator.http.request<{ id: string }>('POST', '/v1/federated/sessions', {
      body: { name: 'dp', model: { kind: 'logistic', weights: new Array(30).fill(0), bias: 0 }, hospitals: addresses, rounds: 5, threshold: 2, clip: 1, dp: { epsilon: budget, delta: 1e-5, noiseMultiplier: z }, consent: { purpose: 'p', computation: 'c', expiry: Math.floor(Date.now() / 1000) + 600 } },
    })
    const parts = skewed()
    const hs = keys.map((k, i) => new FederatedParticipant({ url, privateKey: k, sessionId: created.id, x: parts[i]!.x, y: parts[i]!.y }))
    for (const h of hs) await h.join()
    for (let step = 0; step < 3; step++) for (const h of hs) await h.step()
    const s = await hs[0]!.status()
    expect(s.round).toBe(1)
    expect(s.phase).toBe('budget-exhausted')
    expect(s.epsilonSpent).toBeCloseTo(epsilonOf([z], 1e-5), 6)
    const refused = await hs[0]!.http.request('POST', `/v1/federated/sessions/${created.id}/secagg/shares`, { body: { message: { from: 1, round: 2 } } }).catch((e: { code?: string }) => e)
    expect((refused as { code?: string }).code).toBe('FED_BUDGET_EXHAUSTED')
  })

  it('refuses a consent for other terms and a hospital outside the session', async () => {
    const creator = new KrainClient({ url, account: wallet(72) })
    const created = await creator.http.request<{ id: string }>('POST', '/v1/federated/sessions', {
      body: { name: 'x', model: { kind: 'logistic', weights: new Array(30).fill(0), bias: 0 }, hospitals: addresses, rounds: 1, threshold: 2, clip: 1, consent: { purpose: 'p', computation: 'c', expiry: Math.floor(Date.now() / 1000) + 60 } },
    })
    const hospital = new KrainClient({ url, account: privateKeyToAccount(keys[0]!) })
    const other = signConsent({ privateKey: keys[0]!, consent: { sessionId: created.id, purpose: 'marketing', computation: 'c', parties: addresses, expiry: Math.floor(Date.now() / 1000) + 60 } })
    const r = await hospital.http.request('POST', `/v1/federated/sessions/${created.id}/consent`, { body: { consent: other } }).catch((e: { code?: string }) => e)
    expect((r as { code?: string }).code).toBe('AUDIT_CONSENT_INVALID')
    const outsider = new FederatedParticipant({ url, privateKey: `0x${'77'.repeat(32)}`, sessionId: created.id, x: [[0]], y: [0] })
    await expect(outsider.join()).rejects.toThrow(/not one of the session's hospitals/)
    const bad = await creator.http.request('POST', `/v1/federated/sessions/${created.id}/secagg/advertise`, { body: { message: { from: 1 } } }).catch((e: { code?: string }) => e)
    expect((bad as { code?: string }).code).toBe('POLICY_DENIED')
  })
})
