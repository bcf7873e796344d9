import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask, predictLabel } from '@krain/models'
import {
  circuitArtifacts,
  closeProvers,
  commitBatch,
  commitInput,
  commitModel,
  proveInference,
  proveInferenceBatch,
  toSolidityCalldata,
  unpackOutputs,
  verifyInference,
  verifyInferenceBatch,
  ZkMalformedProofError,
  type ProveInferenceBatchReturnType,
  type ProveInferenceReturnType,
} from '../src/index.js'

// Three real proofs, made once and shared by every test of the file.
const bc = breastCancerTask()
const dg = digitsTask()
const salt = 0xc0ffeen
let logistic: ProveInferenceReturnType
let mlp: ProveInferenceReturnType
let batch: ProveInferenceBatchReturnType
const batchSalts = Array.from({ length: 8 }, (_, i) => 77n + BigInt(i))

beforeAll(async () => {
  logistic = await proveInference({ model: bc.model, input: bc.test.x[5]!, salt })
  mlp = await proveInference({ model: dg.model, input: dg.test.x[3]!, salt })
  batch = await proveInferenceBatch({ model: bc.model, inputs: bc.test.x.slice(40, 48), salts: batchSalts })
}, 120_000)

afterAll(async () => {
  await closeProvers()
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
  await g.curve_bn128?.terminate()
})

const flip = (s: string): string => (BigInt(s) === 0n ? '1' : '0')

describe('proveInference on breast_cancer (logistic)', () => {
  it('proves the float model label with public signals [output, modelCommitment, inputCommitment]', async () => {
    expect(logistic.output).toBe(predictLabel(bc.model, bc.test.x[5]!))
    expect(logistic.publicSignals).toEqual([String(logistic.output), String(await commitModel(bc.model)), String(await commitInput({ model: bc.model, input: bc.test.x[5]!, salt }))])
    expect(await verifyInference(logistic)).toBe(true)
  })

  it('verifies with bare snarkjs too', async () => {
    expect(await snarkjs.groth16.verify(circuitArtifacts('inference_logistic').vkey, logistic.publicSignals, logistic.proof)).toBe(true)
  })

  it('rejects a tampered output, model commitment or input commitment', async () => {
    const ps = logistic.publicSignals
    expect(await verifyInference({ ...logistic, publicSignals: [flip(ps[0]), ps[1], ps[2]] })).toBe(false)
    expect(await verifyInference({ ...logistic, publicSignals: [ps[0], String(BigInt(ps[1]) + 1n), ps[2]] })).toBe(false)
    expect(await verifyInference({ ...logistic, publicSignals: [ps[0], ps[1], String(BigInt(ps[2]) ^ 1n)] })).toBe(false)
  })

  it('rejects a proof that does not match the commitments the verifier expects', async () => {
    const other = await commitInput({ model: bc.model, input: bc.test.x[5]!, salt: salt + 1n })
    expect(await verifyInference({ ...logistic, expectedInputCommitment: other })).toBe(false)
    expect(await verifyInference({ ...logistic, expectedModelCommitment: await commitModel(dg.model) })).toBe(false)
    expect(await verifyInference({ ...logistic, expectedOutput: 1 - logistic.output })).toBe(false)
    expect(await verifyInference({ ...logistic, expectedModelCommitment: logistic.modelCommitment, expectedInputCommitment: logistic.inputCommitment, expectedOutput: logistic.output })).toBe(true)
  })

  it('rejects a tampered proof (well-formed points) and a proof for another circuit', async () => {
    const p = structuredClone(logistic.proof)
    p.pi_c = structuredClone(logistic.proof.pi_a)
    expect(await verifyInference({ ...logistic, proof: p })).toBe(false)
    const q = structuredClone(logistic.proof)
    q.pi_a[1] = '1' // not on the curve: well-formed but invalid
    expect(await verifyInference({ ...logistic, proof: q })).toBe(false)
    expect(await verifyInference({ ...logistic, circuit: 'inference_mlp' })).toBe(false)
  })

  it('throws a typed error for junk proofs and signals', async () => {
    const cases: unknown[] = [null, 'proof', {}, { ...logistic.proof, pi_a: ['x', '1', '1'] }, { ...logistic.proof, pi_b: [['1'], ['1', '2']] }, { ...logistic.proof, pi_a: [`${2n ** 300n}`, '1', '1'] }]
    for (const proof of cases) await expect(verifyInference({ ...logistic, proof: proof as never })).rejects.toBeInstanceOf(ZkMalformedProofError)
    await expect(verifyInference({ ...logistic, publicSignals: ['1', '2'] })).rejects.toBeInstanceOf(ZkMalformedProofError)
    await expect(verifyInference({ ...logistic, publicSignals: ['1', '2', `${2n ** 254n}`] })).rejects.toBeInstanceOf(ZkMalformedProofError)
    await expect(verifyInference({ ...logistic, circuit: 'nope' as never })).rejects.toThrow(TypeError)
  })

  it('converts to Solidity calldata exactly like snarkjs', async () => {
    const cd = toSolidityCalldata(logistic.proof, logistic.publicSignals)
    const text = await snarkjs.groth16.exportSolidityCallData(logistic.proof, logistic.publicSignals)
    const ref = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]]
    expect(cd.a).toEqual(ref[0].map(BigInt))
    expect(cd.b).toEqual(ref[1].map((r) => r.map(BigInt)))
    expect(cd.c).toEqual(ref[2].map(BigInt))
    expect(cd.input).toEqual(ref[3].map(BigInt))
    expect(cd.input).toHaveLength(3)
  })

  it('refuses bad arguments before proving', async () => {
    await expect(proveInference({ model: bc.model, input: bc.test.x[0]!.slice(1), salt })).rejects.toThrow(RangeError)
    await expect(proveInference({ model: bc.model, input: bc.test.x[0]!, salt: -1n })).rejects.toThrow(RangeError)
    await expect(proveInference({ model: bc.model, input: bc.test.x[0]!, salt: '1' as never })).rejects.toThrow(TypeError)
  })
})

describe('proveInference on digits (MLP 64-16-10)', () => {
  it('proves the float model argmax and verifies', async () => {
    expect(mlp.output).toBe(predictLabel(dg.model, dg.test.x[3]!))
    expect(mlp.publicSignals[0]).toBe(String(mlp.output))
    expect(await verifyInference(mlp)).toBe(true)
  })

  it('rejects another label', async () => {
    const ps = mlp.publicSignals
    expect(await verifyInference({ ...mlp, publicSignals: [String((mlp.output + 1) % 10), ps[1], ps[2]] })).toBe(false)
  })
})

describe('proveInferenceBatch (8 breast_cancer rows)', () => {
  it('proves eight labels under one model commitment and one batch commitment', async () => {
    const rows = bc.test.x.slice(40, 48)
    expect(batch.outputs).toEqual(rows.map((r) => predictLabel(bc.model, r)))
    expect(unpackOutputs(BigInt(batch.publicSignals[0]), 8)).toEqual(batch.outputs)
    const ics = await Promise.all(rows.map((r, i) => commitInput({ model: bc.model, input: r, salt: batchSalts[i]! })))
    expect(batch.inputCommitments).toEqual(ics)
    expect(batch.publicSignals[2]).toBe(String(await commitBatch(ics)))
    expect(await verifyInferenceBatch({ ...batch, expectedOutputs: batch.outputs, expectedBatchCommitment: batch.batchCommitment, expectedModelCommitment: batch.modelCommitment })).toBe(true)
  })

  it('rejects a changed label or batch commitment', async () => {
    const ps = batch.publicSignals
    expect(await verifyInferenceBatch({ ...batch, publicSignals: [String(BigInt(ps[0]) ^ 1n), ps[1], ps[2]] })).toBe(false)
    expect(await verifyInferenceBatch({ ...batch, publicSignals: [ps[0], ps[1], String(BigInt(ps[2]) + 1n)] })).toBe(false)
    expect(await verifyInferenceBatch({ ...batch, expectedOutputs: batch.outputs.map((o) => 1 - o) })).toBe(false)
  })

  it('refuses a batch of another size', async () => {
    await expect(proveInferenceBatch({ model: bc.model, inputs: bc.test.x.slice(0, 7), salts: batchSalts.slice(0, 7) })).rejects.toThrow(RangeError)
    // 13 rows pick inference_logistic_batch13 (proved in contracts/tests); forcing the 8-row circuit refuses them
    const salts13 = Array.from({ length: 13 }, (_, i) => 5n + BigInt(i))
    await expect(proveInferenceBatch({ model: bc.model, inputs: bc.test.x.slice(0, 13), salts: salts13, circuit: 'inference_logistic_batch8' })).rejects.toThrow(RangeError)
    await expect(proveInferenceBatch({ model: bc.model, inputs: bc.test.x.slice(0, 8), salts: batchSalts, circuit: 'inference_logistic' as never })).rejects.toThrow(TypeError)
    await expect(verifyInferenceBatch({ ...batch, circuit: 'inference_logistic_batch13' })).resolves.toBe(false)
  })
})

describe('process lifetime', () => {
  it('lets a script that proves once exit by itself', () => {
    const script = fileURLToPath(new URL('./fixtures/prove-once.ts', import.meta.url))
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 90_000, cwd: fileURLToPath(new URL('../../../', import.meta.url)) })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ output: predictLabel(bc.model, bc.test.x[1]!), ok: true })
  }, 100_000)
})
