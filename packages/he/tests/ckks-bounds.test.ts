import { digitsTask, predictLabel, argmax, type LinearModel } from '@krain/models'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEADROOM_MARGIN_BITS, HeHeadroomError, HeInputRangeError, HeOutputBoundError, ckksHeadroomBits, createCkksClient, decryptBatch, encryptBatch, evaluateModel, loadEvaluationKeys, planDigest, planInference, type CkksClient, type EvaluationKeys, type InferencePlan } from '../src/index.js'
import { sealEnvelope } from '../src/inference/envelope.js'
import { tile } from '../src/ckks/ops.js'

/** Never a silent wrong answer from CKKS overflow (issue 12, item 1). */
describe('planner headroom', () => {
  beforeAll(() => void digitsTask(), 60_000)

  it('states the output bound and keeps it 2^4 below the headroom of the output level', () => {
    const plan = planInference({ model: digitsTask().model, batchSize: 1, layout: 'sample-per-ciphertext' })
    expect(plan.outputBound).toBeGreaterThan(0)
    expect(plan.headroom).toBeCloseTo(2 ** ckksHeadroomBits(plan.params, 0), 0)
    expect(plan.headroom).toBeGreaterThanOrEqual(2 ** HEADROOM_MARGIN_BITS * (plan.outputBound + plan.errorBound))
  })

  it('raises q0 (and lowers the scale) when the default chain has too little headroom', () => {
    const big: LinearModel = { kind: 'logistic', weights: [3000, -2000, 1000], bias: 5 }
    const plan = planInference({ model: big, batchSize: 1, inputBound: 100 }) // |score| ≤ 600,005 > 2^19
    const [q0] = plan.params.coeffModulusBits
    expect(q0! - plan.params.scaleBits).toBeGreaterThan(20)
    expect(plan.headroom).toBeGreaterThanOrEqual(2 ** HEADROOM_MARGIN_BITS * (plan.outputBound + plan.errorBound))
  })

  it('refuses, naming the bound and the bits it would need, when no chain can hold the scores', () => {
    const huge: LinearModel = { kind: 'logistic', weights: [1e9, -1e9], bias: 0 }
    try {
      planInference({ model: huge, batchSize: 1, inputBound: 1e3 })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(HeHeadroomError)
      expect((e as HeHeadroomError).code).toBe('HE_HEADROOM_EXCEEDED')
      expect((e as HeHeadroomError).shortMessage).toMatch(/2\.000e\+12.*needs \d+ bits of headroom/)
    }
  })
})

describe('inputs scaled ×1…×100 under a plan for ×1 (digits square MLP)', () => {
  let plan: InferencePlan
  let client: CkksClient
  let keys: EvaluationKeys
  let rows: number[][]
  const model = () => digitsTask().model
  beforeAll(async () => {
    rows = digitsTask().test.x.slice(0, 2)
    // the digits features are pixel/16 ∈ [0, 1]: the true bound of ×1 inputs is 1
    plan = planInference({ model: model(), batchSize: 2, layout: 'sample-per-ciphertext', inputBound: 1 })
    client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
    keys = await loadEvaluationKeys(client.exportEvaluationKeys(), { expectParams: plan.params })
  }, 60_000)
  afterAll(() => {
    keys.dispose()
    client.dispose()
  })

  const labels = (scores: number[][]) => scores.map(argmax)

  it('through the client: a typed error before encryption, or the plaintext label', async () => {
    let refused = 0
    let answered = 0
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1, max: 100, noNaN: true }), async (k) => {
        const scaled = rows.map((r) => r.map((v) => v * k))
        let up: Uint8Array[]
        try {
          up = encryptBatch({ client, plan, rows: scaled })
        } catch (e) {
          expect(e).toBeInstanceOf(HeInputRangeError)
          refused++
          return
        }
        const { ciphertexts } = evaluateModel({ keys, model: model(), ciphertexts: up, plan })
        const got = labels(decryptBatch({ client, plan, ciphertexts, count: rows.length }))
        expect(got).toEqual(scaled.map((r) => predictLabel(model(), r)))
        answered++
      }),
      { numRuns: 25, examples: [[1], [1.0000001], [2], [100]], seed: 12 },
    )
    expect(answered).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  }, 60_000)

  it('bypassing the client check: decryption raises a typed error or returns the plaintext label', async () => {
    // a client that skips admitRows (encrypting raw slots itself) must still never get a wrong label:
    // the square MLP's scores grow like k², past the output bound and, for large k, past the headroom
    let refused = 0
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1, max: 100, noNaN: true }), async (k) => {
        const scaled = rows.map((r) => r.map((v) => v * k))
        const up = scaled.map((r, i) => sealEnvelope({ kind: 'input', index: i, keyId: client.keyId, planDigest: planDigest(plan) }, client.encryptSlots(tile(r, plan.periods[0]!, plan.slots))))
        const { ciphertexts } = evaluateModel({ keys, model: model(), ciphertexts: up, plan })
        let scores: number[][]
        try {
          scores = decryptBatch({ client, plan, ciphertexts, count: rows.length })
        } catch (e) {
          expect(e).toBeInstanceOf(HeOutputBoundError)
          refused++
          return
        }
        expect(labels(scores)).toEqual(scaled.map((r) => predictLabel(model(), r)))
      }),
      { numRuns: 12, examples: [[1], [3], [30], [100]], seed: 7 },
    )
    expect(refused).toBeGreaterThan(0)
  }, 60_000)
})
