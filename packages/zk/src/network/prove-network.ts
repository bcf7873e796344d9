/**
 * @module prove-network
 * Proven inference for generated circuits: quantise the input, commit, compute the witness and
 * the Groth16 proof in the prover pool's worker thread, and check the proof's public signals
 * `[output, modelCommitment, inputCommitment]` against the integer evaluation.
 */
import { anObject, typeError } from '@krain/core'
import { aSalt } from '../commit/commit.js'
import { ZkProvingError } from '../errors.js'
import type { Groth16Proof } from '../groth16/groth16.js'
import { runProveJob } from '../prove/prover-pool.js'
import { SNARK_SCALAR_FIELD } from '../field.js'
import type { NetworkCircuit } from './build-circuit.js'
import { circuitKey, circuitSpec } from './circuit-spec.js'
import { commitNetwork, commitNetworkInput } from './commit-network.js'
import { evaluateQuantized, isQuantizedNetwork, quantizeNetworkInput, type QuantizedNetwork } from './quantize-network.js'

/** Parameters of {@link proveNetwork}. */
export type ProveNetworkParameters = {
  /** The built circuit (`buildCircuit` / `loadCircuit`). */
  circuit: NetworkCircuit
  /** The quantised network the circuit was built from. */
  quantized: QuantizedNetwork
  /** A raw feature row (numbers; the model's standardisation is applied) or a quantised one (bigints). */
  input: readonly (number | bigint)[]
  /** The input commitment's salt (see `randomSalt`). */
  salt: bigint
}

/** Result of {@link proveNetwork}. */
export type ProveNetworkReturnType = {
  circuitId: string
  proof: Groth16Proof
  /** `[output, modelCommitment, inputCommitment]`, decimal strings. */
  publicSignals: [string, string, string]
  /** The output signal: class index (argmax), 0/1 (sign) or the packed regression outputs. */
  output: bigint
  /** The head's integer values (logits / score / regression outputs at `outputScale`). */
  values: bigint[]
  modelCommitment: bigint
  inputCommitment: bigint
}

const fe = (v: bigint): bigint => (v < 0n ? SNARK_SCALAR_FIELD + v : v)

/** Internal: the circuit's input signals. */
export function networkSignals(q: QuantizedNetwork, x: readonly bigint[], salt: bigint, modelCommitment: bigint, inputCommitment: bigint): Record<string, unknown> {
  const s: Record<string, unknown> = { modelCommitment, inputCommitment, x: x.map(fe), salt }
  if (q.mode === 'committed') {
    q.layers.forEach((l, i) => {
      s[`w${i}`] = l.weights.map((r) => r.map(fe))
      s[`b${i}`] = l.bias.map(fe)
    })
  }
  return s
}

/**
 * Prove `output = model(input)` with a generated circuit; the input (and, in `committed` mode,
 * the weights) stay private. Runs in a worker thread.
 * @param parameters - `{ circuit, quantized, input, salt }`
 * @returns the proof, its public signals and the output
 * @throws {TypeError|RangeError} on wrong arguments or an input outside the circuit's range
 * @throws {ZkProvingError} when the circuit was not built from this quantisation, or the prover fails
 * @example
 * ```ts
 * const r = await proveNetwork({ circuit, quantized: q, input: row, salt: randomSalt() })
 * ```
 */
export async function proveNetwork(parameters: ProveNetworkParameters): Promise<ProveNetworkReturnType> {
  const p = anObject(parameters, 'parameters') as ProveNetworkParameters
  if (!isQuantizedNetwork(p.quantized)) typeError('quantized', 'a quantised network (quantizeNetwork)', p.quantized)
  const c = anObject(p.circuit, 'circuit') as NetworkCircuit
  const q = p.quantized
  if (circuitKey(circuitSpec(q)) !== c.key) throw new ZkProvingError({ shortMessage: `circuit ${String(c.id)} was not built from this quantised model`, details: 'build it with buildCircuit({ quantized })' })
  const x = quantizeNetworkInput(q, p.input)
  const salt = aSalt(p.salt, 'salt')
  const modelCommitment = await commitNetwork(q)
  const inputCommitment = await commitNetworkInput(q, x, salt)
  const { values, output } = evaluateQuantized(q, x)
  const r = await runProveJob({ wasm: c.wasmPath, zkey: c.zkeyPath, input: networkSignals(q, x, salt, modelCommitment, inputCommitment) })
  const expected = [String(output), String(modelCommitment), String(inputCommitment)]
  if (r.publicSignals.length !== 3 || r.publicSignals.some((s, i) => s !== expected[i])) {
    throw new ZkProvingError({ shortMessage: 'the proof does not carry the expected public signals', details: `got [${r.publicSignals.join(', ')}], expected [${expected.join(', ')}]` })
  }
  return { circuitId: c.id, proof: r.proof, publicSignals: r.publicSignals as [string, string, string], output, values, modelCommitment, inputCommitment }
}
