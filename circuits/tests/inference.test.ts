import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask } from '@krain/models'
import {
  commitBatch,
  commitInput,
  commitModel,
  packOutputs,
  predictQuantized,
  quantizeInput,
  quantizeModel,
  type QuantizedLogisticModel,
  type QuantizedMlpModel,
} from '@krain/zk'
import { circuitsDir } from '../scripts/build.js'
import { fe, witness } from './helpers.js'

const wasm = (name: string): string => join(circuitsDir, 'artifacts', name, `${name}.wasm`)
const salt = 0x5eed5a17n

describe('inference_logistic (breast_cancer, 30 features)', () => {
  const { model, test } = breastCancerTask()
  const q = quantizeModel(model) as QuantizedLogisticModel
  let mc: bigint
  const signals = async (row: number[], over: Record<string, unknown> = {}): Promise<Record<string, unknown>> => ({
    modelCommitment: mc,
    inputCommitment: await commitInput({ model: q, input: row, salt }),
    weights: q.weights.map(fe),
    bias: fe(q.bias),
    x: quantizeInput(q, row).map(fe),
    salt,
    ...over,
  })
  beforeAll(async () => {
    mc = await commitModel(q)
  })

  it('outputs the quantised TypeScript label and lists public signals as [output, modelCommitment, inputCommitment]', async () => {
    for (const row of test.x.slice(0, 12)) {
      const s = await signals(row)
      const w = await witness(wasm('inference_logistic'), s)
      expect(w.slice(1, 4)).toEqual([BigInt(predictQuantized(q, quantizeInput(q, row))), mc, s.inputCommitment])
    }
  })

  it('fails to produce a witness for a wrong model commitment, input commitment, weight or input', async () => {
    const row = test.x[0]!
    const good = await signals(row)
    await expect(witness(wasm('inference_logistic'), { ...good, modelCommitment: mc + 1n })).rejects.toThrow(/Assert Failed/)
    await expect(witness(wasm('inference_logistic'), { ...good, salt: salt + 1n })).rejects.toThrow(/Assert Failed/)
    const w2 = [...q.weights]
    w2[3] = w2[3]! + 1n
    await expect(witness(wasm('inference_logistic'), { ...good, weights: w2.map(fe) })).rejects.toThrow(/Assert Failed/)
    const x2 = quantizeInput(q, row)
    x2[0] = x2[0]! + 1n
    await expect(witness(wasm('inference_logistic'), { ...good, x: x2.map(fe) })).rejects.toThrow(/Assert Failed/)
  })

  it('refuses an out-of-range input even with matching commitments (no field wrap-around)', async () => {
    // x[0] = 2^23 does not fit 24 signed bits; the packed commitment cannot even be formed honestly,
    // and the range check inside PackSigned rejects it.
    const x = quantizeInput(q, test.x[0]!)
    x[0] = 1n << 23n
    await expect(witness(wasm('inference_logistic'), { modelCommitment: mc, inputCommitment: 0n, weights: q.weights.map(fe), bias: fe(q.bias), x: x.map(fe), salt })).rejects.toThrow(/Assert Failed/)
  })
})

describe('inference_mlp (digits, 64-16-10 square)', () => {
  const { model, test } = digitsTask()
  const q = quantizeModel(model) as QuantizedMlpModel
  const [l1, l2] = q.layers

  it('outputs the quantised TypeScript argmax for held-out digits', async () => {
    const mc = await commitModel(q)
    for (const row of test.x.slice(0, 6)) {
      const ic = await commitInput({ model: q, input: row, salt })
      const x = quantizeInput(q, row)
      const w = await witness(wasm('inference_mlp'), { modelCommitment: mc, inputCommitment: ic, w1: l1.weights.map((r) => r.map(fe)), b1: l1.bias.map(fe), w2: l2.weights.map((r) => r.map(fe)), b2: l2.bias.map(fe), x: x.map(fe), salt })
      expect(w.slice(1, 4)).toEqual([BigInt(predictQuantized(q, x)), mc, ic])
    }
  })

  it('fails to produce a witness for a weight that does not match the commitment', async () => {
    const mc = await commitModel(q)
    const row = test.x[0]!
    const ic = await commitInput({ model: q, input: row, salt })
    const w2 = l2.weights.map((r) => [...r])
    w2[9]![15] = w2[9]![15]! - 1n
    await expect(witness(wasm('inference_mlp'), { modelCommitment: mc, inputCommitment: ic, w1: l1.weights.map((r) => r.map(fe)), b1: l1.bias.map(fe), w2: w2.map((r) => r.map(fe)), b2: l2.bias.map(fe), x: quantizeInput(q, row).map(fe), salt })).rejects.toThrow(/Assert Failed/)
  })
})

describe('inference_logistic_batch8', () => {
  const { model, test } = breastCancerTask()
  const q = quantizeModel(model) as QuantizedLogisticModel
  const rows = test.x.slice(20, 28)
  const salts = rows.map((_, i) => 1000n + BigInt(i))

  it('packs the eight labels and chains the eight input commitments', async () => {
    const ics = await Promise.all(rows.map((r, i) => commitInput({ model: q, input: r, salt: salts[i]! })))
    const bc = await commitBatch(ics)
    const labels = rows.map((r) => predictQuantized(q, quantizeInput(q, r)))
    const input = { modelCommitment: await commitModel(q), batchCommitment: bc, weights: q.weights.map(fe), bias: fe(q.bias), x: rows.map((r) => quantizeInput(q, r).map(fe)), salt: salts }
    const w = await witness(wasm('inference_logistic_batch8'), input)
    expect(w.slice(1, 4)).toEqual([packOutputs(labels), input.modelCommitment, bc])
    // Swapping two rows changes the batch commitment: the witness fails.
    await expect(witness(wasm('inference_logistic_batch8'), { ...input, x: [input.x[1], input.x[0], ...input.x.slice(2)], salt: [salts[1], salts[0], ...salts.slice(2)] })).rejects.toThrow(/Assert Failed/)
  })
})
