/**
 * @module prove-network-batch
 * Batch proofs of generated circuits: k inferences of one model in one Groth16 proof (a circuit
 * built with `buildCircuit({ quantized, batch: k })`). Public signals
 * `[packedOutputs, modelCommitment, batchCommitment]`, with `packedOutputs = Σ output_r · 256^r`
 * and `batchCommitment = commitBatch(inputCommitment_0..k−1)`, each `inputCommitment_r` the one
 * the single circuit would expose for that row and salt. The proof's signals are checked against
 * the integer evaluation before it is returned.
 */
import { anArray, anObject, typeError } from '@krain/core'
import { aSalt } from '../commit/commit.js'
import { getPoseidon, poseidonChainWith } from '../commit/poseidon-chain.js'
import { ZkProvingError } from '../errors.js'
import { SNARK_SCALAR_FIELD } from '../field.js'
import type { Groth16Proof } from '../groth16/groth16.js'
import { runProveJob } from '../prove/prover-pool.js'
import type { NetworkCircuit } from './build-circuit.js'
import { circuitKey, circuitSpec } from './circuit-spec.js'
import { commitNetwork, commitNetworkInput } from './commit-network.js'
import { evaluateQuantized, isQuantizedNetwork, quantizeNetworkInput, type QuantizedNetwork } from './quantize-network.js'

/** Parameters of {@link proveNetworkBatch}. */
export type ProveNetworkBatchParameters = {
  /** The batch circuit (`buildCircuit({ quantized, batch: k })`). */
  circuit: NetworkCircuit
  /** The quantised network the circuit was built from. */
  quantized: QuantizedNetwork
  /** Exactly k rows: raw (numbers; the model's standardisation is applied) or quantised (bigints). */
  inputs: readonly (readonly (number | bigint)[])[]
  /** One salt per row (see `randomSalt`). */
  salts: readonly bigint[]
}

/** Result of {@link proveNetworkBatch}. */
export type ProveNetworkBatchReturnType = {
  circuitId: string
  proof: Groth16Proof
  /** `[packedOutputs, modelCommitment, batchCommitment]`, decimal strings. */
  publicSignals: [string, string, string]
  /** Each row's output (0/1 for a sign head, the class index for argmax). */
  outputs: bigint[]
  packedOutputs: bigint
  modelCommitment: bigint
  /** Each row's input commitment (what a single proof of that row and salt exposes). */
  inputCommitments: bigint[]
  batchCommitment: bigint
}

const fe = (v: bigint): bigint => (v < 0n ? SNARK_SCALAR_FIELD + v : v)

/** `Σ outputs[r] · 256^r` (each output one byte). */
export function packBatchOutputs(outputs: readonly bigint[]): bigint {
  return outputs.reduce((acc, o, r) => acc + (o << BigInt(8 * r)), 0n)
}

/** Internal: the batch circuit's input signals. */
export function networkBatchSignals(q: QuantizedNetwork, xs: readonly (readonly bigint[])[], salts: readonly bigint[], modelCommitment: bigint, batchCommitment: bigint): Record<string, unknown> {
  const s: Record<string, unknown> = { modelCommitment, batchCommitment, x: xs.map((x) => x.map(fe)), salt: [...salts] }
  if (q.mode === 'committed') {
    q.layers.forEach((l, i) => {
      s[`w${i}`] = l.weights.map((r) => r.map(fe))
      s[`b${i}`] = l.bias.map(fe)
    })
  }
  return s
}

/**
 * Prove k inferences of one model in one proof with a generated batch circuit; the inputs (and,
 * in `committed` mode, the weights) stay private. Runs in the prover pool's worker thread.
 * @param parameters - `{ circuit, quantized, inputs, salts }`
 * @returns the proof, its public signals, the outputs and every commitment
 * @throws {TypeError|RangeError} on wrong arguments, a row count other than the circuit's k, or an input outside the circuit's range
 * @throws {ZkProvingError} when the circuit is not the batch circuit of this quantisation, or the prover fails
 * @example
 * ```ts
 * const circuit = await buildCircuit({ quantized: q, batch: 16 })
 * const r = await proveNetworkBatch({ circuit, quantized: q, inputs: rows, salts: rows.map(() => randomSalt()) })
 * ```
 */
export async function proveNetworkBatch(parameters: ProveNetworkBatchParameters): Promise<ProveNetworkBatchReturnType> {
  const p = anObject(parameters, 'parameters') as ProveNetworkBatchParameters
  if (!isQuantizedNetwork(p.quantized)) typeError('quantized', 'a quantised network (quantizeNetwork)', p.quantized)
  const c = anObject(p.circuit, 'circuit') as NetworkCircuit
  const q = p.quantized
  const k = (c.spec as { batch?: unknown } | undefined)?.batch
  if (typeof k !== 'number') throw new ZkProvingError({ shortMessage: `circuit ${String(c.id)} is not a batch circuit`, details: 'build one with buildCircuit({ quantized, batch: k })' })
  if (circuitKey(circuitSpec(q, k)) !== c.key) throw new ZkProvingError({ shortMessage: `circuit ${String(c.id)} was not built from this quantised model`, details: `build it with buildCircuit({ quantized, batch: ${k} })` })
  const xs = anArray<readonly (number | bigint)[]>(p.inputs, 'inputs', k, k).map((row, r) => quantizeNetworkInput(q, row, `inputs[${r}]`))
  const salts = anArray<unknown>(p.salts, 'salts', k, k).map((s, r) => aSalt(s, `salts[${r}]`))
  const modelCommitment = await commitNetwork(q)
  const inputCommitments = await Promise.all(xs.map((x, r) => commitNetworkInput(q, x, salts[r]!)))
  const batchCommitment = poseidonChainWith(await getPoseidon(), inputCommitments)
  const outputs = xs.map((x) => evaluateQuantized(q, x).output)
  const packedOutputs = packBatchOutputs(outputs)
  const r = await runProveJob({ wasm: c.wasmPath, zkey: c.zkeyPath, input: networkBatchSignals(q, xs, salts, modelCommitment, batchCommitment) })
  const expected = [String(packedOutputs), String(modelCommitment), String(batchCommitment)]
  if (r.publicSignals.length !== 3 || r.publicSignals.some((s, i) => s !== expected[i])) {
    throw new ZkProvingError({ shortMessage: 'the batch proof does not carry the expected public signals', details: `got [${r.publicSignals.join(', ')}], expected [${expected.join(', ')}]` })
  }
  return { circuitId: c.id, proof: r.proof, publicSignals: r.publicSignals as [string, string, string], outputs, packedOutputs, modelCommitment, inputCommitments, batchCommitment }
}
