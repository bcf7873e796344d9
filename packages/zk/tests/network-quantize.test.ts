import { describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask, predictLabel, predictScores, type NetworkModel } from '@krain/models'
import {
  circuitId,
  circuitSpec,
  commitInput,
  commitModel,
  commitNetwork,
  commitNetworkInput,
  estimateConstraints,
  evaluateQuantized,
  generateCircuit,
  quantizeModel,
  quantizeInput,
  quantizeNetwork,
  quantizeNetworkInput,
  unpackRegression,
  ZkQuantizationError,
  ZkUnsupportedModelError,
} from '../src/index.js'
import { syntheticNetwork, syntheticRows } from './fixtures/synthetic.js'

const SHIPPED_LOGISTIC = { inputFractionBits: 16, inputBits: 24, weightBits: 16, biasBits: [40], headBits: 45 }
const SHIPPED_MLP = { inputFractionBits: 4, inputBits: 6, weightBits: 9, biasBits: [20, 40], headBits: 54 }

describe('quantizeNetwork on the fixture models', () => {
  it('keeps the float label on >= 99% of the digits calibration rows and reports it', () => {
    const { model, test } = digitsTask()
    const q = quantizeNetwork({ model, mode: 'committed', calibration: test.x })
    expect(q.report.rows).toBe(test.x.length)
    expect(q.report.agreement).toBeGreaterThanOrEqual(0.99)
    let agree = 0
    for (const row of test.x) if (evaluateQuantized(q, quantizeNetworkInput(q, row)).label === predictLabel(model, row)) agree++
    expect(agree).toBe(q.report.agreeing)
  })

  it('keeps the float label on >= 99% of the breast_cancer calibration rows', () => {
    const { model, test } = breastCancerTask()
    const q = quantizeNetwork({ model, mode: 'committed', calibration: test.x })
    expect(q.report.agreement).toBeGreaterThanOrEqual(0.99)
    expect(q.head).toBe('sign')
  })

  it('reproduces the shipped logistic and MLP quantisation and commitments with their widths', async () => {
    const bc = breastCancerTask()
    const ql = quantizeNetwork({ model: bc.model, mode: 'committed', calibration: bc.test.x, options: SHIPPED_LOGISTIC })
    const old = quantizeModel(bc.model)
    if (old.kind !== 'logistic') throw new Error('expected logistic')
    expect(ql.layers[0]!.weights[0]).toEqual(old.weights)
    expect(ql.layers[0]!.bias[0]).toBe(old.bias)
    expect(await commitNetwork(ql)).toBe(await commitModel(bc.model))
    const row = bc.test.x[3]!
    expect(await commitNetworkInput(ql, quantizeNetworkInput(ql, row), 9n)).toBe(await commitInput({ model: bc.model, input: row, salt: 9n }))
    expect(circuitId(circuitSpec(ql))).toMatch(/^logistic-30-w16-x24-[0-9a-f]{12}$/)
    const dg = digitsTask()
    const qm = quantizeNetwork({ model: dg.model, mode: 'committed', calibration: dg.test.x, options: SHIPPED_MLP })
    expect(await commitNetwork(qm)).toBe(await commitModel(dg.model))
    const om = quantizeModel(dg.model)
    for (const r of dg.test.x.slice(0, 20)) expect(quantizeNetworkInput(qm, r)).toEqual(quantizeInput(om, r))
  })

  it('derives range-check widths from exact bounds (the shipped 45-bit sign check is 1 bit loose)', () => {
    const bc = breastCancerTask()
    const q = quantizeNetwork({ model: bc.model, mode: 'committed', calibration: bc.test.x, options: { ...SHIPPED_LOGISTIC, headBits: undefined } })
    // |score| <= 30 * 2^15 * 2^23 + 2^39 = 2^43: 44 bits signed.
    const [lo, hi] = q.bounds[0]!.acc
    expect(lo).toBe(-30n * (2n ** 38n - 2n ** 15n) - 2n ** 39n) // each product at least -2^15 (2^23 - 1), the lowest bias
    expect(hi).toBe(30n * 2n ** 38n + 2n ** 39n - 1n) // each product at most (-2^15)(-2^23), the highest bias
    expect(q.headBits).toBe(44)
  })
})

describe('quantizeNetwork refuses what it cannot prove soundly', () => {
  it('refuses a head width smaller than the bound with the bits it needs', () => {
    const { model, test } = breastCancerTask()
    const e = (() => {
      try {
        quantizeNetwork({ model, mode: 'committed', calibration: test.x, options: { ...SHIPPED_LOGISTIC, headBits: 40 } })
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(ZkQuantizationError)
    expect((e as ZkQuantizationError).code).toBe('ZK_QUANTIZATION_UNSAFE')
    expect((e as ZkQuantizationError).neededBits).toBe(44)
  })

  it('refuses a network whose sums could wrap the field', () => {
    // Eight square layers without rescaling: the bound doubles its bits at every layer.
    const model = syntheticNetwork([4, 4, 4, 4, 4, 4, 4, 4, 2], 'square', 'argmax', 3)
    const rows = syntheticRows(8, 4)
    expect(() => quantizeNetwork({ model, mode: 'committed', calibration: rows, options: { maxActivationBits: 200, weightBits: 8, inputFractionBits: 8 } })).toThrow(ZkQuantizationError)
    // With the default rescaling it fits.
    const q = quantizeNetwork({ model, mode: 'committed', calibration: rows, options: { weightBits: 8, inputFractionBits: 8, minAgreement: 0 } })
    expect(q.layers.some((l) => l.shift > 0)).toBe(true)
    for (const b of q.bounds) expect(b.acc[1] < 2n ** 250n && b.acc[0] > -(2n ** 250n)).toBe(true)
  })

  it('refuses regression outputs that do not fit one field element, and activations without a circuit', () => {
    const model = syntheticNetwork([3, 12], 'relu', 'regression', 4)
    expect(() => quantizeNetwork({ model, mode: 'public', calibration: syntheticRows(4, 3), options: { weightBits: 16, inputFractionBits: 16, headBits: 40 } })).toThrow(ZkQuantizationError)
    const sig: NetworkModel = { ...syntheticNetwork([3, 2, 2], 'relu', 'argmax'), layers: syntheticNetwork([3, 2, 2], 'relu', 'argmax').layers.map((l, i) => (i === 0 ? { ...l, activation: 'sigmoid' as const } : l)) }
    expect(() => quantizeNetwork({ model: sig, mode: 'committed', calibration: syntheticRows(4, 3) })).toThrow(ZkUnsupportedModelError)
  })

  it('refuses inputs outside the circuit range, and a bad option, by name', () => {
    const { model, test } = breastCancerTask()
    const q = quantizeNetwork({ model, mode: 'committed', calibration: test.x, options: SHIPPED_LOGISTIC })
    expect(() => quantizeNetworkInput(q, [...test.x[0]!.slice(0, 29), 1000])).toThrow(/input\[29\]/)
    expect(() => quantizeNetworkInput(q, test.x[0]!.slice(1))).toThrow(RangeError)
    expect(() => quantizeNetwork({ model, mode: 'committed', calibration: test.x, options: { weightBits: 1 } })).toThrow(/options.weightBits/)
    expect(() => quantizeNetwork({ model, mode: 'secret' as never, calibration: test.x })).toThrow(/mode/)
  })
})

describe('regression head', () => {
  it('packs the outputs into the output signal and unpacks them at outputScale', () => {
    const model = syntheticNetwork([5, 6, 3], 'relu', 'regression', 5)
    const rows = syntheticRows(16, 5)
    const q = quantizeNetwork({ model, mode: 'public', calibration: rows })
    const e = evaluateQuantized(q, quantizeNetworkInput(q, rows[0]!))
    expect(unpackRegression(e.output, 3, q.headBits)).toEqual(e.values)
    const f = predictScores(model, rows[0]!)
    e.values.forEach((v, i) => expect(Math.abs(Number(v) / q.outputScale - f[i]!)).toBeLessThanOrEqual(q.report.maxAbsError + 1e-12))
    expect(q.report.maxAbsError).toBeLessThan(0.05)
  })
})

describe('generateCircuit', () => {
  it('writes public weights as constants (no weight signals) and committed ones as private inputs', () => {
    const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax')
    const rows = syntheticRows(16, 20)
    const pub = generateCircuit(quantizeNetwork({ model, mode: 'public', calibration: rows }))
    const com = generateCircuit(quantizeNetwork({ model, mode: 'committed', calibration: rows }))
    expect(pub.source).not.toMatch(/signal input w0/)
    expect(pub.source).toMatch(/modelCommitment === \d+;/)
    expect(com.source).toMatch(/signal input w0\[8\]\[20\];/)
    expect(pub.id).toMatch(/^net-20-8r-4-argmax-w\d+-x\d+-pub-[0-9a-f]{12}$/)
    expect(estimateConstraints(pub.spec)).toBeLessThan(estimateConstraints(com.spec) / 2)
  })
})
