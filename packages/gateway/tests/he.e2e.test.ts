import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask, predictLabel, predictScores } from '@krain/models'
import { KrainClient } from '@krain/client'
import { testGateway, wallet } from './helpers/app.js'

describe('encrypted breast_cancer inference over a real socket', () => {
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    app = await testGateway()
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => app.close())

  it('an agent encrypts held-out rows, the gateway evaluates on ciphertexts, the agent decrypts the right labels', async () => {
    const task = breastCancerTask()
    const owner = new KrainClient({ url, account: wallet(20) })
    const model = await owner.registerModel({ name: 'breast_cancer', model: task.model })
    expect(model).toMatchObject({ kind: 'logistic', inputs: 30, outputs: 1 })
    const agent = new KrainClient({ url, account: wallet(21) })
    const rows = task.test.x.slice(0, 32)
    const steps: string[] = []
    const { scores, errorBound } = await agent.inferEncrypted({ modelId: model.id, rows, inputBound: 10, onProgress: (s) => steps.push(s) })
    expect(steps).toEqual(['planning', 'generating keys', 'uploading evaluation keys', 'encrypting', 'evaluating on the gateway', 'decrypting'])
    rows.forEach((r, i) => {
      const want = predictScores(task.model, r)[0]!
      expect(Math.abs(scores[i]![0]! - want)).toBeLessThanOrEqual(Math.max(errorBound, 1e-3))
    })
    const agree = rows.filter((r, i) => (scores[i]![0]! >= 0 ? 1 : 0) === predictLabel(task.model, r)).length
    expect(agree).toBeGreaterThanOrEqual(31)
    // a second call reuses the uploaded keys (cached in the worker)
    const again = await agent.inferEncrypted({ modelId: model.id, rows, inputBound: 10 })
    expect(again.scores[0]![0]).toBeCloseTo(scores[0]![0]!, 2)
    // secrecy scan: the agent's CKKS secret key is nowhere in the store (the public bundle is)
    const sessions = (agent as unknown as { sessions: Map<string, Promise<{ client: { exportSecretKey(): Uint8Array; exportEvaluationKeys(): Uint8Array } }>> }).sessions
    const { client } = await [...sessions.values()][0]!
    const secret = Buffer.from(client.exportSecretKey())
    const dump = await app.store.dump()
    const stored = (dump.he_keys as { bundle: Uint8Array }[]).map((k) => Buffer.from(k.bundle))
    expect(stored).toHaveLength(1)
    const probe = secret.subarray(Math.floor(secret.length / 2), Math.floor(secret.length / 2) + 64)
    for (const b of stored) expect(b.includes(probe)).toBe(false)
    expect(JSON.stringify(dump)).not.toContain(secret.toString('base64').slice(100, 200))
    agent[Symbol.dispose]()

    // another agent cannot use these keys; the weights are never returned
    const other = new KrainClient({ url, account: wallet(22) })
    const info = await other.http.request<Record<string, unknown>>('GET', `/v1/models/${model.id}`)
    expect(JSON.stringify(info)).not.toContain(String(task.model.weights[0]))
  })
})
