import { describe, expect, it } from 'vitest'
import { breastCancerTask } from '@krain/models'
import { circuitKey, circuitSpec, estimateConstraints, generateBatchCircuit, generateCircuit, maxConstraints, packBatchOutputs, quantizeNetwork, ZkUnsupportedModelError } from '../src/index.js'
import { syntheticNetwork, syntheticRows } from './fixtures/synthetic.js'

// The generator side of batch circuits (no compilation here: contracts/tests/generated-batch.test.ts
// proves and verifies a 16-row batch off-chain and on anvil).
const rows = syntheticRows(16, 20)

describe('generateBatchCircuit', () => {
  it('names, addresses and sizes a k-row circuit apart from the single one, whose key is unchanged', () => {
    const q = quantizeNetwork({ model: syntheticNetwork([20, 8, 4], 'relu', 'argmax'), mode: 'committed', calibration: rows })
    const one = generateCircuit(q)
    const b = generateBatchCircuit(q, 16)
    expect(generateCircuit(q, 16)).toEqual(b)
    expect('batch' in one.spec).toBe(false)
    expect(circuitKey(circuitSpec(q))).toBe(circuitKey(one.spec))
    expect(b.spec).toEqual({ ...one.spec, batch: 16 })
    expect(b.id).toMatch(/^net-20-8r-4-argmax-w\d+-x\d+-b16-[0-9a-f]{12}$/)
    expect(b.id.slice(-12)).not.toBe(one.id.slice(-12))
    // the weights are committed once; every row is the single circuit's body
    expect(b.source.match(/PoseidonChain\(\d+\);/g)).toHaveLength(2)
    expect(b.source).toMatch(/signal input x\[16\]\[20\];/)
    expect(b.source).toMatch(/component main \{public \[modelCommitment, batchCommitment\]\} = KrainNetworkBatch\(\);/)
    const perRow = estimateConstraints(one.spec)
    // the committed weights' range checks and commitment are paid once, not 16 times
    expect(estimateConstraints(b.spec)).toBeGreaterThan(2 * perRow)
    expect(estimateConstraints(b.spec)).toBeLessThan(16 * perRow)
  })

  it('fits the breast_cancer k = 16 batch in the shipped 2^14 powers of tau', () => {
    const { model, train } = breastCancerTask()
    const b = generateBatchCircuit(quantizeNetwork({ model, mode: 'committed', calibration: train.x }), 16)
    expect(b.id).toMatch(/^logistic-30-w\d+-x\d+-b16-/)
    expect(estimateConstraints(b.spec)).toBeLessThan(maxConstraints(14))
  })

  it('refuses batch sizes outside 1..31, regression heads and more than 256 classes', () => {
    const q = quantizeNetwork({ model: syntheticNetwork([20, 4], 'identity', 'argmax'), mode: 'public', calibration: rows })
    for (const k of [0, 32]) expect(() => generateBatchCircuit(q, k)).toThrow(RangeError)
    for (const k of [1.5, Number.NaN]) expect(() => generateBatchCircuit(q, k)).toThrow(/"batch" expected/)
    expect(() => generateBatchCircuit(quantizeNetwork({ model: syntheticNetwork([20, 2], 'identity', 'regression'), mode: 'public', calibration: rows }), 4)).toThrow(ZkUnsupportedModelError)
    expect(() => generateBatchCircuit(quantizeNetwork({ model: syntheticNetwork([20, 300], 'identity', 'argmax'), mode: 'public', calibration: rows }), 4)).toThrow(ZkUnsupportedModelError)
    expect(generateBatchCircuit(q, 31).spec.batch).toBe(31)
  })

  it('packs one byte per row', () => {
    expect(packBatchOutputs([1n, 0n, 3n])).toBe(1n + (3n << 16n))
  })
})
