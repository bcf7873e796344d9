import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { breastCancerTask } from '@krain/models'
import { circuitLibDir, commitInput, commitModel, commitNetwork, commitNetworkInput, generateCircuit, loadManifest, networkSignals, quantizeInput, quantizeModel, quantizeNetwork, quantizeNetworkInput, type QuantizedLogisticModel } from '@krain/zk'
import { circuitsDir, compileFileAsync } from '../scripts/build.js'
import { fe, witness } from './helpers.js'

// The shipped 30-feature logistic circuit as an instance of the generator: same widths, same
// commitments, same outputs, same constraint count.
const { model, test } = breastCancerTask()
const q = quantizeNetwork({ model, mode: 'committed', calibration: test.x, options: { inputFractionBits: 16, inputBits: 24, weightBits: 16, biasBits: [40], headBits: 45 } })
const shipped = quantizeModel(model) as QuantizedLogisticModel
let wasm: string
let constraints: number

beforeAll(async () => {
  const gen = generateCircuit(q)
  const out = join(circuitsDir, 'build', 'test', 'generated')
  mkdirSync(out, { recursive: true })
  const src = join(out, 'logistic30.circom')
  writeFileSync(src, gen.source)
  const r = await compileFileAsync(src, out)
  wasm = r.wasm
  constraints = r.constraints
}, 180_000)

describe('generated circuit for the 30-feature logistic (the shipped inference_logistic as an instance)', () => {
  it('uses the same library and has the same constraint count as the shipped circuit', () => {
    expect(circuitLibDir()).toBe(join(circuitsDir, 'src', 'lib') + '/')
    expect(constraints).toBe(loadManifest(join(circuitsDir, 'artifacts')).circuits.inference_logistic!.constraints)
  })

  it('outputs the same [output, modelCommitment, inputCommitment] as the shipped circuit', async () => {
    const mc = await commitModel(model)
    expect(await commitNetwork(q)).toBe(mc)
    const shippedWasm = join(circuitsDir, 'artifacts', 'inference_logistic', 'inference_logistic.wasm')
    for (const row of test.x.slice(0, 8)) {
      const salt = 0xabcn
      const ic = await commitInput({ model, input: row, salt })
      const x = quantizeNetworkInput(q, row)
      expect(await commitNetworkInput(q, x, salt)).toBe(ic)
      const ours = await witness(wasm, networkSignals(q, x, salt, mc, ic))
      const theirs = await witness(shippedWasm, { modelCommitment: mc, inputCommitment: ic, weights: shipped.weights.map(fe), bias: fe(shipped.bias), x: quantizeInput(shipped, row).map(fe), salt })
      expect(ours.slice(1, 4)).toEqual(theirs.slice(1, 4))
    }
  })

  it('fails to produce a witness for an input that does not match its commitment', async () => {
    const row = test.x[0]!
    const x = quantizeNetworkInput(q, row)
    const ic = await commitNetworkInput(q, x, 1n)
    x[4] = x[4]! + 1n
    await expect(witness(wasm, networkSignals(q, x, 1n, await commitNetwork(q), ic))).rejects.toThrow(/Assert Failed/)
  })
})
