import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadDigits, trainTestSplit } from '@krain/datasets'
import { argmax, predictLabel, predictScores, type Activation, type Model, type NetworkModel } from '@krain/models'
import { afterAll, describe, expect, it } from 'vitest'
import { HeDepthError, HeInputRangeError, admitRows, approximateScores, createCkksClient, decryptBatch, encryptBatch, evaluateModel, loadEvaluationKeys, planInference, type CkksClient, type EvaluationKeys, type InferencePlan } from '../src/index.js'

/** Encrypted evaluation of the canonical IR: any depth, per-layer activations, heads (issue 10, item 3). */
const here = dirname(fileURLToPath(import.meta.url))

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32)
}

function network(sizes: number[], acts: Activation[], head: NetworkModel['head'], seed: number, extra: Partial<NetworkModel> = {}): NetworkModel {
  const r = rng(seed)
  return {
    kind: 'network',
    head,
    layers: sizes.slice(1).map((out, i) => ({
      weights: Array.from({ length: out }, () => Array.from({ length: sizes[i]! }, () => (r() - 0.5) * (2 / Math.sqrt(sizes[i]!)))),
      bias: Array.from({ length: out }, () => (r() - 0.5) * 0.2),
      activation: acts[i]!,
    })),
    ...extra,
  }
}

const sets: { client: CkksClient; keys: EvaluationKeys }[] = []
afterAll(() => sets.forEach((s) => (s.keys.dispose(), s.client.dispose())))

async function run(model: Model, plan: InferencePlan, rows: number[][]) {
  const client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
  const keys = await loadEvaluationKeys(client.exportEvaluationKeys(), { expectParams: plan.params, requireGaloisSteps: plan.galoisSteps, requireRelin: plan.relin })
  sets.push({ client, keys })
  const { ciphertexts } = evaluateModel({ keys, model, ciphertexts: encryptBatch({ client, plan, rows }), plan })
  return decryptBatch({ client, plan, ciphertexts, count: rows.length })
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, i) => r.map((v, k) => Math.abs(v - b[i]![k]!))))

describe('encrypted networks with approximated activations', () => {
  it('relu → tanh → identity (depth 9, N = 16384): scores within the stated error bound of the exact model', async () => {
    const model = network([6, 5, 4, 3], ['relu', 'tanh', 'identity'], 'argmax', 1)
    const r = rng(2)
    const calibration = Array.from({ length: 64 }, () => Array.from({ length: 6 }, () => r() * 2 - 1))
    const plan = planInference({ model, batchSize: 2, layout: 'feature-major', calibration, activationDegree: 3 })
    expect(plan.depth).toBe(9)
    expect(plan.params.polyModulusDegree).toBe(16384)
    expect(plan.layers.map((l) => l.approximation?.degree)).toEqual([3, 3, undefined])
    expect(plan.layers[0]!.approximation!.maxError).toBeGreaterThan(0)
    expect(plan.polynomialEvaluation).toBe('chebyshev-product-tree')
    const rows = calibration.slice(0, 2)
    const scores = await run(model, plan, rows)
    const exact = rows.map((x) => predictScores(model, x))
    const approx = approximateScores({ model, plan, rows })
    console.info(`relu/tanh net: max |enc − exact| ${maxDiff(scores, exact).toExponential(2)}, max |enc − polynomial net| ${maxDiff(scores, approx).toExponential(2)}, bound ${plan.errorBound.toExponential(2)}`)
    expect(maxDiff(scores, exact)).toBeLessThanOrEqual(plan.errorBound)
    expect(maxDiff(scores, approx)).toBeLessThan(1e-3)
  }, 60_000)

  it('sigmoid layer, regression head, standardisation applied by the client before encryption', async () => {
    const model = network([4, 3, 2], ['sigmoid', 'identity'], 'regression', 3, { standardize: { mean: [10, -5, 0, 100], scale: [2, 0.5, 1, 20] } })
    const r = rng(4)
    const raw = Array.from({ length: 32 }, () => [10 + 4 * (r() - 0.5), -5 + r() - 0.5, 2 * (r() - 0.5), 100 + 40 * (r() - 0.5)])
    const plan = planInference({ model, batchSize: 3, layout: 'feature-major', calibration: raw, activationDegree: 7 })
    expect(plan.standardize).toEqual(model.standardize)
    expect(plan.head).toBe('regression')
    const rows = raw.slice(0, 3)
    const scores = await run(model, plan, rows)
    expect(maxDiff(scores, rows.map((x) => predictScores(model, x)))).toBeLessThanOrEqual(plan.errorBound)
  }, 60_000)

  it('refuses (encryptBatch calls admitRows first) a raw feature outside the calibrated range', () => {
    const model = network([3, 2, 2], ['relu', 'identity'], 'argmax', 5)
    const plan = planInference({ model, batchSize: 1, calibration: { lo: [0, 0, 0], hi: [1, 1, 1] }, calibrationMargin: 0, activationDegree: 3 })
    expect(plan.inputRange).toEqual({ lo: [0, 0, 0], hi: [1, 1, 1] })
    expect(() => admitRows(plan, [[0.5, 1.5, 0.5]])).toThrow(HeInputRangeError)
    expect(() => admitRows(plan, [[-0.01, 0.5, 0.5]])).toThrow(/calibrated range/)
    expect(admitRows(plan, [[0, 1, 0.5]])).toEqual([[0, 1, 0.5]])
    // with a margin, the range widens by margin × max(width, mean width)
    const wide = planInference({ model, batchSize: 1, calibration: [[0, 0, 0], [1, 2, 0]], calibrationMargin: 0.5, activationDegree: 3 })
    expect(wide.inputRange).toEqual({ lo: [-0.5, -1, -0.5], hi: [1.5, 3, 0.5] })
  })

  it('takes the ranges of calibrateRanges (@krain/models) and maps them back to raw units', async (ctx) => {
    const models = (await import('@krain/models')) as Record<string, unknown>
    const calibrateRanges = models.calibrateRanges as ((p: { model: Model; rows: number[][]; margin?: number }) => { inputRange: { min: number; max: number }[] }) | undefined
    if (!calibrateRanges) return ctx.skip('calibrateRanges not present')
    const model = network([2, 2, 1], ['tanh', 'identity'], 'sign', 8, { standardize: { mean: [5, -1], scale: [2, -4] } })
    const rows = [[4, 3], [8, -1], [5, 7]]
    const fromRanges = planInference({ model, batchSize: 1, calibration: calibrateRanges({ model, rows, margin: 0 }), calibrationMargin: 0, activationDegree: 3 })
    const fromRows = planInference({ model, batchSize: 1, calibration: rows, calibrationMargin: 0, activationDegree: 3 })
    fromRanges.inputRange!.lo.forEach((v, j) => expect(v).toBeCloseTo(fromRows.inputRange!.lo[j]!, 9))
    fromRanges.inputRange!.hi.forEach((v, j) => expect(v).toBeCloseTo(fromRows.inputRange!.hi[j]!, 9))
  })

  it('refuses a network too deep for any 128-bit parameter set, naming the depth it would need', () => {
    const deep = network([4, 4, 4, 4, 4, 4, 4, 2], ['relu', 'relu', 'relu', 'relu', 'relu', 'relu', 'identity'], 'argmax', 6)
    expect(() => planInference({ model: deep, batchSize: 1, activationDegree: 63 })).toThrow(HeDepthError)
    expect(() => planInference({ model: deep, batchSize: 1, activationDegree: 63 })).toThrow(/needs depth 49/)
    // the same network with degree-3 approximations fits (6 × (1 + 3) + 1 = 25 levels, N = 32768)
    expect(planInference({ model: deep, batchSize: 1, activationDegree: 3 }).params.polyModulusDegree).toBe(32768)
  })
})

describe('digits ReLU MLP imported from ONNX (PyTorch fixture)', () => {
  const fixture = join(here, '..', '..', 'models', 'fixtures', 'digits_mlp_relu_torch_op13.onnx')
  // The encrypted evaluation of this network (N = 16384, depth 8) takes minutes on a shared
  // machine, so it runs in `npm run bench -- model-import` (label agreement and score error on all
  // held-out rows in the results JSON). Here: the polynomial network the server evaluates, in
  // plaintext, on every held-out row; the tests above check that encryption adds only CKKS noise.
  it('labels of the polynomial network agree with the plaintext model on ≥ 99% of held-out rows, within the stated error', async (ctx) => {
    const models = (await import('@krain/models')) as Record<string, unknown>
    const importOnnx = models.importOnnx as ((b: Uint8Array) => { model: Model }) | undefined
    if (!importOnnx || !existsSync(fixture)) return ctx.skip('ONNX importer or fixture not present')
    const { model } = importOnnx(new Uint8Array(readFileSync(fixture)))
    const { test } = trainTestSplit(loadDigits())
    // raw pixels are 0…16: the natural calibrated range of every feature
    const calibration = { lo: new Array<number>(64).fill(0), hi: new Array<number>(64).fill(16) }
    for (const degree of [15, 31]) {
      const plan = planInference({ model, batchSize: 4096, calibration, calibrationMargin: 0, activationDegree: degree })
      expect(plan.layers[0]!.approximation).toMatchObject({ method: 'chebyshev-interpolation', degree })
      const approx = approximateScores({ model, plan, rows: test.x })
      const same = test.x.filter((x, i) => argmax(approx[i]!) === predictLabel(model, x)).length
      const exact = test.x.map((x) => predictScores(model, x))
      console.info(`digits ReLU MLP (degree ${degree}, depth ${plan.depth}, N = ${plan.params.polyModulusDegree}): ${((100 * same) / test.x.length).toFixed(2)}% of ${test.x.length} held-out labels identical; max |Δscore| ${maxDiff(approx, exact).toFixed(3)} (stated bound ${plan.errorBound.toFixed(3)}; approximation ≤ ${plan.layers[0]!.approximation!.maxError.toFixed(3)} per hidden unit over its range [${plan.layers[0]!.range.map((v) => v.toFixed(1)).join(', ')}])`)
      expect(same / test.x.length).toBeGreaterThanOrEqual(0.99)
      expect(maxDiff(approx, exact)).toBeLessThanOrEqual(plan.errorBound)
    }
  }, 60_000)
})
