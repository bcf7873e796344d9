import { buildPoseidon } from 'circomlibjs'
import { describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask } from '@krain/models'
import { commitBatch, commitInput, commitModel, packSigned, quantizeInput, quantizeModel, randomSalt, SNARK_SCALAR_FIELD, type QuantizedLogisticModel, type QuantizedMlpModel } from '../src/index.js'

describe('commitModel', () => {
  it('equals circomlibjs Poseidon over the packed logistic parameters', async () => {
    const q = quantizeModel(breastCancerTask().model) as QuantizedLogisticModel
    const poseidon = await buildPoseidon()
    // 30 weights × 16 bits → 2 elements (15 per element), the bias × 40 bits → 1: a single Poseidon(3).
    const expected = poseidon.F.toObject(poseidon([...packSigned(q.weights, 16), ...packSigned([q.bias], 40)]))
    expect(await commitModel(q)).toBe(expected)
    expect(await commitModel(breastCancerTask().model)).toBe(expected)
  })

  it('chains Poseidon over the 47 packed elements of the digits MLP', async () => {
    const q = quantizeModel(digitsTask().model) as QuantizedMlpModel
    const [l1, l2] = q.layers
    const e = [...packSigned(l1.weights.flat(), 9), ...packSigned(l1.bias, 20), ...packSigned(l2.weights.flat(), 9), ...packSigned(l2.bias, 40)]
    expect(e.length).toBe(37 + 2 + 6 + 2)
    const poseidon = await buildPoseidon()
    const h = (xs: bigint[]): bigint => poseidon.F.toObject(poseidon(xs))
    let acc = h(e.slice(0, 16))
    for (let i = 16; i < e.length; i += 15) acc = h([acc, ...e.slice(i, i + 15)])
    expect(await commitModel(q)).toBe(acc)
  })

  it('changes when one weight changes by one quantum', async () => {
    const q = quantizeModel(breastCancerTask().model) as QuantizedLogisticModel
    const w = [...q.weights]
    w[7] = w[7]! + 1n
    expect(await commitModel({ ...q, weights: w })).not.toBe(await commitModel(q))
  })
})

describe('commitInput', () => {
  const { model, test } = breastCancerTask()
  it('equals circomlibjs Poseidon(pack(x), salt) and depends on the salt', async () => {
    const q = quantizeModel(model)
    const salt = 123456789n
    const poseidon = await buildPoseidon()
    const expected = poseidon.F.toObject(poseidon([...packSigned(quantizeInput(q, test.x[0]!), 24), salt]))
    expect(await commitInput({ model, input: test.x[0]!, salt })).toBe(expected)
    expect(await commitInput({ model, input: test.x[0]!, salt: salt + 1n })).not.toBe(expected)
  })

  it('refuses a salt that is not a field element', async () => {
    await expect(commitInput({ model, input: test.x[0]!, salt: SNARK_SCALAR_FIELD })).rejects.toThrow(RangeError)
    await expect(commitInput({ model, input: test.x[0]!, salt: 5 as never })).rejects.toThrow(TypeError)
  })
})

describe('commitBatch and randomSalt', () => {
  it('chains the row commitments in order', async () => {
    const poseidon = await buildPoseidon()
    const cs = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]
    expect(await commitBatch(cs)).toBe(poseidon.F.toObject(poseidon(cs)))
    expect(await commitBatch([...cs].reverse())).not.toBe(await commitBatch(cs))
    await expect(commitBatch([])).rejects.toThrow(RangeError)
  })

  it('draws distinct salts below r', () => {
    const s = Array.from({ length: 64 }, randomSalt)
    expect(new Set(s).size).toBe(64)
    for (const v of s) expect(v < SNARK_SCALAR_FIELD && v >= 0n).toBe(true)
  })
})
