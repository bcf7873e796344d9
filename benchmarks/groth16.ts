/**
 * Groth16 proven inference (@krain/zk) against bare snarkjs on the same artifacts.
 *
 * Per circuit: constraints, witness time, proving (ours: quantise + commit + witness + proof in
 * a worker thread; anchor: `snarkjs.groth16.fullProve` on the main thread with the same wasm and
 * zkey; overhead target ≤ 1.05×, i.e. ratio ≥ 0.952), verification (ours: single-threaded
 * ffjavascript pairing; anchor: `snarkjs.groth16.verify`), throughput with a pool of 2 workers,
 * constraints per committed model parameter (target ≤ 20), and the digits-MLP proof (< 10 s).
 */
import * as snarkjs from 'snarkjs'
import { breastCancerTask, digitsTask } from '@krain/models'
import {
  circuitArtifacts,
  closeProvers,
  commitBatch,
  commitInput,
  commitModel,
  loadManifest,
  proveInference,
  proveInferenceBatch,
  quantizeModel,
  setProverPoolSize,
  verifyInference,
  verifyInferenceBatch,
  type CircuitName,
  type QuantizedLogisticModel,
  type QuantizedMlpModel,
} from '@krain/zk'
import { compare, lowerIsBetterRow, round, timeIt, writeResult, type Row } from './lib.js'

const SNARKJS = 'snarkjs 0.7.6 groth16.fullProve'
const fe = (v: bigint): bigint => (v < 0n ? 21888242871839275222246405745257275088548364400416034343698204186575808495617n + v : v)

type Case = {
  name: CircuitName
  params: number
  ours: () => Promise<{ proof: unknown; publicSignals: string[] }>
  signals: () => Promise<Record<string, unknown>>
  verify: (r: { proof: unknown; publicSignals: string[] }) => Promise<boolean>
}

export async function run(): Promise<void> {
  const bc = breastCancerTask()
  const dg = digitsTask()
  const ql = quantizeModel(bc.model) as QuantizedLogisticModel
  const qm = quantizeModel(dg.model) as QuantizedMlpModel
  const salt = 0x1234n
  const salts = Array.from({ length: 8 }, (_, i) => 1000n + BigInt(i))
  const lx = (row: number[]): bigint[] => row.map((v) => BigInt(Math.round(v * ql.inputScale)))
  const mx = (row: number[]): bigint[] => row.map((v) => BigInt(Math.round(v * qm.inputScale)))
  const cases: Case[] = [
    {
      name: 'inference_logistic',
      params: 31,
      ours: () => proveInference({ model: ql, input: bc.test.x[0]!, salt }),
      signals: async () => ({ modelCommitment: await commitModel(ql), inputCommitment: await commitInput({ model: ql, input: bc.test.x[0]!, salt }), weights: ql.weights.map(fe), bias: fe(ql.bias), x: lx(bc.test.x[0]!).map(fe), salt }),
      verify: (r) => verifyInference({ circuit: 'inference_logistic', proof: r.proof as never, publicSignals: r.publicSignals }),
    },
    {
      name: 'inference_mlp',
      params: 64 * 16 + 16 + 16 * 10 + 10,
      ours: () => proveInference({ model: qm, input: dg.test.x[0]!, salt }),
      signals: async () => {
        const [l1, l2] = qm.layers
        return { modelCommitment: await commitModel(qm), inputCommitment: await commitInput({ model: qm, input: dg.test.x[0]!, salt }), w1: l1.weights.map((r) => r.map(fe)), b1: l1.bias.map(fe), w2: l2.weights.map((r) => r.map(fe)), b2: l2.bias.map(fe), x: mx(dg.test.x[0]!).map(fe), salt }
      },
      verify: (r) => verifyInference({ circuit: 'inference_mlp', proof: r.proof as never, publicSignals: r.publicSignals }),
    },
    {
      name: 'inference_logistic_batch8',
      params: 31,
      ours: () => proveInferenceBatch({ model: ql, inputs: bc.test.x.slice(0, 8), salts }),
      signals: async () => {
        const ics = await Promise.all(bc.test.x.slice(0, 8).map((r, i) => commitInput({ model: ql, input: r, salt: salts[i]! })))
        return { modelCommitment: await commitModel(ql), batchCommitment: await commitBatch(ics), weights: ql.weights.map(fe), bias: fe(ql.bias), x: bc.test.x.slice(0, 8).map((r) => lx(r).map(fe)), salt: salts }
      },
      verify: (r) => verifyInferenceBatch({ proof: r.proof as never, publicSignals: r.publicSignals }),
    },
  ]

  const rows: Row[] = []
  let mlpProveMs = 0
  for (const c of cases) {
    const art = circuitArtifacts(c.name)
    const input = await c.signals()
    rows.push({ metric: `${c.name}: constraints`, unit: 'constraints', ours: art.constraints, anchor: null, anchorName: null, ratio: null, target: null, met: null })
    const w = await timeIt(() => snarkjs.wtns.calculate(input, art.wasmPath, { type: 'mem' }), 5)
    rows.push(lowerIsBetterRow(`${c.name}: witness`, 'ms', w.median, null, null))
    const samples = c.name === 'inference_logistic' ? 9 : 7
    const t = await compare({ ours: c.ours, anchor: () => snarkjs.groth16.fullProve(input, art.wasmPath, art.zkeyPath), samples })
    rows.push({ ...lowerIsBetterRow(`${c.name}: prove (incl. witness)`, 'ms', t.ours.median, t.anchor.median, SNARKJS, 0.952, 'ours: quantise+commit+worker thread'), oursRange: [round(t.ours.min), round(t.ours.max)], anchorRange: [round(t.anchor.min), round(t.anchor.max)] })
    if (c.name === 'inference_mlp') mlpProveMs = t.ours.median
    const proof = await c.ours()
    const v = await compare({ ours: () => c.verify(proof), anchor: () => snarkjs.groth16.verify(art.vkey, proof.publicSignals, proof.proof), samples: 15, warmup: 2 })
    rows.push({ ...lowerIsBetterRow(`${c.name}: verify`, 'ms', v.ours.median, v.anchor.median, 'snarkjs 0.7.6 groth16.verify'), oursRange: [round(v.ours.min), round(v.ours.max)], anchorRange: [round(v.anchor.min), round(v.anchor.max)] })
    if (c.name === 'inference_mlp') rows.push(lowerIsBetterRow(`${c.name}: constraints per committed parameter (whole circuit)`, 'constraints', art.constraints / c.params, 82, 'naive chained Poseidon + 1 mult (issue estimate)', 82 / 20, `${c.params} parameters; target ≤ 20`))
    if (c.name === 'inference_logistic') rows.push(lowerIsBetterRow(`${c.name}: constraints per committed parameter (whole circuit)`, 'constraints', art.constraints / c.params, 82, 'naive chained Poseidon + 1 mult (issue estimate)', null, `${c.params} parameters; the 30 inputs × 24 bits dominate`))
  }
  rows.push(lowerIsBetterRow('digits MLP proof', 'ms', mlpProveMs, 10_000, 'budget: 10 s', 1))

  // Throughput: 8 logistic proofs through a pool of 2 workers vs 8 sequential bare fullProves.
  const n = 8
  setProverPoolSize(2)
  const art = circuitArtifacts('inference_logistic')
  const input = await cases[0]!.signals()
  const tp = await compare({
    ours: () => Promise.all(Array.from({ length: n }, (_, i) => proveInference({ model: ql, input: bc.test.x[i]!, salt }))),
    anchor: async () => {
      for (let i = 0; i < n; i++) await snarkjs.groth16.fullProve(input, art.wasmPath, art.zkeyPath)
    },
    samples: 3,
  })
  const perMin = (ms: number): number => (60_000 * n) / ms
  rows.push({ metric: 'inference_logistic: proofs per minute, pool of 2 workers', unit: 'proofs/min', ours: round(perMin(tp.ours.median)), anchor: round(perMin(tp.anchor.median)), anchorName: `${SNARKJS}, sequential`, ratio: round(tp.anchor.median / tp.ours.median), target: null, met: null })
  const gasNote = `batch of ${n}: ${loadManifest().circuits.inference_logistic_batch8?.constraints ?? '?'} constraints`
  rows.push({ metric: 'inference_logistic_batch8: inferences per proof', unit: 'rows', ours: 8, anchor: 1, anchorName: 'inference_logistic', ratio: 8, target: null, met: null, note: gasNote })
  await closeProvers()
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
  await g.curve_bn128?.terminate()
  writeResult('groth16', rows)
}
