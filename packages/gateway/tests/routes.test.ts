import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask } from '@krain/models'
import { addressOf } from '@krain/mpc'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'

describe('routes: authentication, policy and typed errors', () => {
  let app: FastifyInstance
  const t: Record<string, string> = {}
  let modelId = ''
  beforeAll(async () => {
    app = await testGateway({
      policy: {
        identities: {
          [wallet(50).address]: { roles: ['model_owner'] },
          [wallet(51).address]: { roles: ['agent'], models: ['other-*'] },
          [wallet(52).address]: { roles: ['verifier'] },
          [wallet(53).address]: { roles: ['hospital'], sessions: ['0xdead*'] },
          [wallet(54).address]: { roles: ['admin'] },
          [wallet(55).address]: { roles: ['agent'], models: ['bc-*'] },
        },
        defaults: { roles: [] },
      },
    })
    for (const i of [50, 51, 52, 53, 54, 55, 56]) t[i] = await signInWith(app, wallet(i))
    const m = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(t[50]!), payload: { name: 'bc', model: breastCancerTask().model } })
    expect(m.statusCode).toBe(201)
    modelId = (m.json() as { id: string }).id
  })
  afterAll(async () => app.close())

  it('registers models for owners only and never returns weights', async () => {
    const m = await app.inject({ method: 'GET', url: `/v1/models/${modelId}`, headers: bearer(t[52]!) })
    expect(m.json()).toMatchObject({ id: modelId, kind: 'logistic', inputs: 30, outputs: 1, owner: wallet(50).address })
    expect((m.json() as { commitment: string }).commitment).toMatch(/^\d+$/)
    expect(m.body).not.toContain('weights')
    const denied = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(t[51]!), payload: { name: 'x', model: breastCancerTask().model } })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'POLICY_DENIED' })
    const anon = await app.inject({ method: 'POST', url: '/v1/models', payload: { name: 'x', model: breastCancerTask().model } })
    expect(anon.json()).toMatchObject({ code: 'AUTH_REQUIRED' })
    const shape = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(t[50]!), payload: { name: 'x', model: { kind: 'mlp', activation: 'square', layers: [{ weights: [[1, 2]], bias: [0, 1] }] } } })
    expect(shape.json()).toMatchObject({ code: 'MODEL_INVALID' })
    expect((await app.inject({ method: 'GET', url: '/v1/models/nope', headers: bearer(t[52]!) })).json()).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('applies attribute rules: which models an agent may call', async () => {
    const plan = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: bearer(t[51]!), payload: { batchSize: 4 } })
    expect(plan.statusCode).toBe(403)
    expect((plan.json() as { message: string }).message).toContain('models:infer')
    const ok = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: bearer(t[55]!), payload: { batchSize: 4 } })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ inputs: 30, outputs: 1, batchSize: 4 })
    const prove = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/prove`, headers: bearer(t[51]!), payload: { input: new Array(30).fill(0) } })
    expect(prove.json()).toMatchObject({ code: 'POLICY_DENIED' })
    const badShape = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/prove`, headers: bearer(t[55]!), payload: { input: [1, 2] } })
    expect(badShape.json()).toMatchObject({ code: 'INPUT_SHAPE' })
    const noRole = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: bearer(t[56]!), payload: { batchSize: 4 } })
    expect(noRole.statusCode).toBe(403)
  })

  it('refuses evaluation keys that are not a bundle, and unknown key ids', async () => {
    const junk = await app.inject({ method: 'POST', url: '/v1/he/keys', headers: { ...bearer(t[55]!), 'content-type': 'application/octet-stream' }, payload: Buffer.from('not a SEAL bundle at all') })
    expect(junk.statusCode).toBeGreaterThanOrEqual(400)
    expect(junk.statusCode).toBeLessThan(500)
    expect((junk.json() as { code: string }).code).toMatch(/^HE_/)
    const infer = await app.inject({ method: 'POST', url: `/v1/models/${modelId}/infer/encrypted`, headers: bearer(t[55]!), payload: { keyId: 'nope', plan: { batchSize: 1 }, ciphertexts: ['AAAA'] } })
    expect(infer.json()).toMatchObject({ code: 'NOT_FOUND' })
    expect((await app.inject({ method: 'GET', url: '/v1/he/keys/nope', headers: bearer(t[55]!) })).statusCode).toBe(404)
  })

  it('guards jobs: 404 for unknown, 403 for another agent, 503 for verification without a chain', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/nope', headers: bearer(t[55]!) })).statusCode).toBe(404)
    const now = Date.now()
    await app.store.createJob({ id: 'j-1', owner: wallet(55).address, kind: 'proven-inference', modelId, state: 'queued', input: { input: [], salt: '1' }, result: null, error: null, txHash: null, createdAt: now, updatedAt: now })
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/j-1', headers: bearer(t[51]!) })).json()).toMatchObject({ code: 'POLICY_DENIED' })
    const v = await app.inject({ method: 'GET', url: '/v1/jobs/j-1', headers: bearer(t[52]!) })
    expect(v.json()).toMatchObject({ id: 'j-1', state: 'queued', result: null })
    expect((await app.inject({ method: 'GET', url: '/v1/jobs/j-1/receipt', headers: bearer(t[55]!) })).json()).toMatchObject({ code: 'JOB_NOT_CONFIRMED' })
    const verify = await app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(t[52]!), payload: { txHash: `0x${'1'.repeat(64)}`, publicSignals: ['1', '2', '3'] } })
    expect(verify.statusCode).toBe(503)
    expect(verify.json()).toMatchObject({ code: 'CHAIN_UNAVAILABLE' })
  })

  it('guards MPC sessions: who may create, join and read', async () => {
    const parties = hospitalKeys.slice(0, 3).map((k) => addressOf(k))
    const body = { parties, length: 4, bound: 10 }
    expect((await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(t[55]!), payload: body })).json()).toMatchObject({ code: 'POLICY_DENIED' })
    const s = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(t[53]!), payload: body })
    expect(s.statusCode).toBe(201)
    const { sessionId } = s.json() as { sessionId: string }
    // hospital 53 may only join sessions matching 0xdead*
    const join = await app.inject({ method: 'POST', url: `/v1/mpc/sessions/${sessionId}/join`, headers: bearer(t[53]!), payload: { message: { type: 'join', sessionId, from: wallet(53).address, signature: '0x' } } })
    expect(join.json()).toMatchObject({ code: 'POLICY_DENIED' })
    expect((await app.inject({ method: 'GET', url: `/v1/mpc/sessions/${sessionId}`, headers: bearer(t[55]!) })).statusCode).toBe(403)
    expect((await app.inject({ method: 'GET', url: `/v1/mpc/sessions/${sessionId}`, headers: bearer(t[53]!) })).json()).toMatchObject({ phase: 'join', creator: wallet(53).address })
    expect((await app.inject({ method: 'GET', url: `/v1/mpc/sessions/${sessionId}/roster`, headers: bearer(t[52]!) })).json()).toMatchObject({ code: 'MPC_WRONG_ROUND' })
    expect((await app.inject({ method: 'GET', url: `/v1/mpc/sessions/0x${'0'.repeat(64)}`, headers: bearer(t[54]!) })).statusCode).toBe(404)
    const overflow = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(t[54]!), payload: { ...body, bound: 1e15, scale: 65536 } })
    expect(overflow.statusCode).toBe(400)
    expect(overflow.json()).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
