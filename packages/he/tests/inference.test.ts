import { breastCancerTask, digitsTask, predictLabel, predictScores, argmax } from '@krain/models'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCkksClient, decryptBatch, encryptBatch, evaluateModel, loadEvaluationKeys, planInference, type CkksClient, type EvaluationKeys, type InferencePlan } from '../src/index.js'

const label = (kind: string, s: number[]) => (kind === 'logistic' ? (s[0]! >= 0 ? 1 : 0) : argmax(s))

type Setup = { plan: InferencePlan; client: CkksClient; keys: EvaluationKeys }
async function setup(plan: InferencePlan): Promise<Setup> {
  const client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
  const keys = await loadEvaluationKeys(client.exportEvaluationKeys(), { expectParams: plan.params, requireGaloisSteps: plan.galoisSteps, requireRelin: plan.relin })
  return { plan, client, keys }
}

function agreement(model: Parameters<typeof predictScores>[0], rows: number[][], scores: number[][]) {
  let same = 0
  let maxErr = 0
  rows.forEach((r, i) => {
    const want = predictScores(model, r)
    want.forEach((w, k) => (maxErr = Math.max(maxErr, Math.abs(w - scores[i]![k]!))))
    if (label(model.kind, scores[i]!) === predictLabel(model, r)) same++
  })
  return { rate: same / rows.length, maxErr }
}

/** Client keys → bundle → encrypt → server evaluates → client decrypts; compared with plaintext. */
async function runEncrypted(sets: Setup[], plan: InferencePlan, model: Parameters<typeof predictScores>[0], rows: number[][]) {
  const s = await setup(plan)
  sets.push(s)
  const up = encryptBatch({ client: s.client, plan, rows })
  const { ciphertexts } = evaluateModel({ keys: s.keys, model, ciphertexts: up, plan })
  const scores = decryptBatch({ client: s.client, plan, ciphertexts, count: rows.length })
  return { uploaded: up.length, returned: ciphertexts.length, ...agreement(model, rows, scores) }
}

describe('encrypted logistic regression on breast_cancer (held-out rows)', () => {
  const task = breastCancerTask()
  const rows = task.test.x
  const sets: Setup[] = []
  afterAll(() => sets.forEach((s) => (s.keys.dispose(), s.client.dispose())))

  it('sample-per-ciphertext: agrees with the plaintext model', async () => {
    const plan = planInference({ model: task.model, batchSize: rows.length, layout: 'sample-per-ciphertext', inputBound: 16 })
    expect(plan.galoisSteps).toEqual([1, 2, 4, 8, 16])
    const { rate, maxErr } = await runEncrypted(sets, plan, task.model, rows)
    console.info(`breast_cancer logistic, sample-per-ciphertext: ${(rate * 100).toFixed(2)}% labels identical over ${rows.length} rows, max |Δscore| ${maxErr.toExponential(2)} (bound ${plan.errorBound.toExponential(2)})`)
    expect(rate).toBeGreaterThanOrEqual(0.99)
    expect(maxErr).toBeLessThan(plan.errorBound)
  }, 60_000)

  it('feature-major: agrees with the plaintext model, no Galois keys', async () => {
    const plan = planInference({ model: task.model, batchSize: 4096, inputBound: 16 })
    expect(plan.layout).toBe('feature-major')
    expect(plan.galoisSteps).toEqual([])
    const { uploaded, returned, rate, maxErr } = await runEncrypted(sets, plan, task.model, rows)
    expect(uploaded).toBe(30)
    expect(returned).toBe(1)
    console.info(`breast_cancer logistic, feature-major: ${(rate * 100).toFixed(2)}% identical over ${rows.length} rows, max |Δscore| ${maxErr.toExponential(2)}`)
    expect(rate).toBeGreaterThanOrEqual(0.99)
    expect(maxErr).toBeLessThan(plan.errorBound)
  }, 60_000)
})

describe('encrypted MLP (square activation) on digits (held-out rows)', () => {
  let task: ReturnType<typeof digitsTask>
  beforeAll(() => void (task = digitsTask()), 60_000)
  const sets: Setup[] = []
  afterAll(() => sets.forEach((s) => (s.keys.dispose(), s.client.dispose())))

  it('feature-major: all held-out rows agree with the plaintext model', async () => {
    const rows = task.test.x
    const plan = planInference({ model: task.model, batchSize: 4096 })
    expect(plan.layout).toBe('feature-major')
    expect(plan.depth).toBe(3)
    expect(plan.params.polyModulusDegree).toBe(8192)
    const { returned, rate, maxErr } = await runEncrypted(sets, plan, task.model, rows)
    expect(returned).toBe(10)
    console.info(`digits MLP, feature-major: ${(rate * 100).toFixed(2)}% identical over ${rows.length} rows, max |Δlogit| ${maxErr.toExponential(2)} (expected ${plan.expectedError.toExponential(2)}, bound ${plan.errorBound.toExponential(2)})`)
    expect(rate).toBeGreaterThanOrEqual(0.99)
    expect(maxErr).toBeLessThan(plan.errorBound)
  }, 60_000)

  it('sample-per-ciphertext: rows agree with the plaintext model (BSGS rotations)', async () => {
    const rows = task.test.x.slice(0, 16)
    const plan = planInference({ model: task.model, batchSize: rows.length, layout: 'sample-per-ciphertext' })
    expect(plan.galoisSteps).toEqual([1, 2, 3, 4, 8, 12, 16, 32])
    const { rate, maxErr } = await runEncrypted(sets, plan, task.model, rows)
    console.info(`digits MLP, sample-per-ciphertext: ${(rate * 100).toFixed(2)}% identical over ${rows.length} rows, max |Δlogit| ${maxErr.toExponential(2)}`)
    expect(rate).toBeGreaterThanOrEqual(0.99)
    expect(maxErr).toBeLessThan(plan.errorBound)
  }, 60_000)
})
