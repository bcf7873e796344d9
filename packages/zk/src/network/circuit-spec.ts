/**
 * @module circuit-spec
 * What a generated circuit is derived from, and its names. A {@link NetworkCircuitSpec} holds the
 * model's shape and every width the circuit uses (no weights in `committed` mode; in `public` mode
 * the sha256 of the integer weights, which are the circuit's constants). Its content address
 * `key = sha256(canonical JSON of the spec, generator version, circom library sources)` names the
 * cache directory, so a shape compiles once per machine; `id` is a readable prefix plus the key.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Head } from '@krain/models'
import { anIntInRange } from '@krain/core'
import { ZkUnsupportedModelError } from '../errors.js'
import { SNARK_SCALAR_FIELD } from '../field.js'
import { packedLength } from '../quantize/pack.js'
import { circuitLibDir, CIRCUIT_LIB_FILES } from './paths.js'
import type { CircuitActivation, QuantizedNetwork, WeightMode } from './quantize-network.js'

/** Version of the circom generator; bump when the generated source changes for the same spec. */
export const GENERATOR_VERSION = 1

/** One layer of a circuit spec. */
export type NetworkLayerSpec = {
  inputs: number
  outputs: number
  activation: CircuitActivation
  weightBits: number
  biasBits: number
  biasShift: number
  rangeBits: number
  shift: number
}

/** Everything a generated circuit is a function of. */
export type NetworkCircuitSpec = {
  generator: number
  mode: WeightMode
  inputs: number
  inputBits: number
  layers: NetworkLayerSpec[]
  head: Head
  headBits: number
  /** `public` mode: sha256 (hex) of the quantised model the circuit's constants are. */
  modelHash?: string
  /** Rows per proof of a batch circuit (1..31); absent for a single-inference circuit. */
  batch?: number
}

/** Largest batch: `packedOutputs = Σ output_r · 256^r` must stay below the field (the registry's `MAX_BATCH_SIZE`). */
export const MAX_NETWORK_BATCH = 31

/**
 * The spec of a quantised network's circuit (single-inference, or of `batch` rows per proof).
 * @throws {RangeError} when `batch` is not an integer in 1..31
 * @throws {ZkUnsupportedModelError} for a batch of a regression head or of an argmax over more than 256 classes (one byte per row)
 */
export function circuitSpec(q: QuantizedNetwork, batch?: number): NetworkCircuitSpec {
  if (batch !== undefined) checkBatch(q, batch)
  const layers = q.layers.map((l) => ({ inputs: l.weights[0]!.length, outputs: l.weights.length, activation: l.activation, weightBits: l.weightBits, biasBits: l.biasBits, biasShift: l.biasShift, rangeBits: l.rangeBits, shift: l.shift }))
  return { generator: GENERATOR_VERSION, mode: q.mode, inputs: q.inputs, inputBits: q.inputBits, layers, head: q.head, headBits: q.headBits, ...(q.mode === 'public' ? { modelHash: quantizedModelHash(q) } : {}), ...(batch !== undefined ? { batch } : {}) }
}

function checkBatch(q: QuantizedNetwork, batch: number): void {
  anIntInRange(batch, 'batch', 1, MAX_NETWORK_BATCH)
  const outs = q.layers[q.layers.length - 1]!.weights.length
  if (q.head === 'regression') throw new ZkUnsupportedModelError({ shortMessage: 'batch proofs pack one byte per row: a regression head has no batch circuit', details: `${outs} outputs of ${q.headBits} bits per row; prove its rows one by one` })
  if (q.head === 'argmax' && outs > 256) throw new ZkUnsupportedModelError({ shortMessage: `batch proofs pack one byte per row: an argmax over ${outs} classes does not fit` })
}

/**
 * sha256 (hex) of a quantised model: its integer weights, biases, shifts, input quantisation and
 * head: everything that decides its outputs.
 */
export function quantizedModelHash(q: QuantizedNetwork): string {
  const canonical = {
    inputs: q.inputs,
    inputBits: q.inputBits,
    inputFractionBits: q.inputFractionBits,
    standardize: q.standardize ?? null,
    layers: q.layers.map((l) => ({ w: l.weights.map((r) => r.map(String)), b: l.bias.map(String), bs: l.biasShift, a: l.activation, k: l.shift, r: l.rangeBits })),
    head: q.head,
    headBits: q.headBits,
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}

/**
 * The `modelCommitment` public signal of a `public`-mode circuit: the model hash reduced mod r.
 * The circuit fixes the signal to this constant, so its verification key identifies the model.
 */
export function publicModelCommitment(q: QuantizedNetwork): bigint {
  return BigInt(`0x${quantizedModelHash(q)}`) % SNARK_SCALAR_FIELD
}

let libHash: string | undefined

/** sha256 of the circom library sources the generated circuits include (part of every key). */
export function circuitLibHash(): string {
  if (!libHash) {
    const h = createHash('sha256')
    for (const f of CIRCUIT_LIB_FILES) h.update(f).update('\0').update(readFileSync(join(circuitLibDir(), f)))
    libHash = h.digest('hex')
  }
  return libHash
}

/** The content address of a spec (hex sha256). */
export function circuitKey(spec: NetworkCircuitSpec): string {
  return createHash('sha256').update(JSON.stringify({ spec, lib: circuitLibHash() })).digest('hex')
}

const letter: Record<CircuitActivation, string> = { identity: '', square: 's', relu: 'r' }

/**
 * A readable circuit id: `logistic-30-w16-x24-<key>` for a one-layer sign model,
 * `net-20-8r-4-argmax-w9-x12-<key>` otherwise, `-pub` for public weights, `-b<k>` for a batch of
 * k rows; `<key>` = 12 hex digits.
 */
export function circuitId(spec: NetworkCircuitSpec): string {
  const key = circuitKey(spec).slice(0, 12)
  const w = spec.layers.map((l) => l.weightBits)
  const wb = w.every((v) => v === w[0]) ? `w${w[0]}` : `w${w.join('.')}`
  const pub = `${spec.mode === 'public' ? '-pub' : ''}${spec.batch !== undefined ? `-b${spec.batch}` : ''}`
  if (spec.layers.length === 1 && spec.layers[0]!.activation === 'identity') {
    const kind = spec.head === 'sign' ? 'logistic' : spec.head === 'argmax' ? `softmax` : 'linear'
    const dims = spec.head === 'sign' ? `${spec.inputs}` : `${spec.inputs}-${spec.layers[0]!.outputs}`
    return `${kind}-${dims}-${wb}-x${spec.inputBits}${pub}-${key}`
  }
  const dims = [String(spec.inputs), ...spec.layers.map((l) => `${l.outputs}${letter[l.activation]}`)].join('-')
  return `net-${dims}-${spec.head}-${wb}-x${spec.inputBits}${pub}-${key}`
}

const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]

/** Constraints of circomlib's Poseidon(n) (8 full rounds of t S-boxes, partial rounds of one; 3 per x^5). */
function poseidonCost(n: number): number {
  const t = n + 1
  return 3 * (8 * t + PARTIAL_ROUNDS[t - 2]!)
}

/** Constraints of PoseidonChain(n). */
export function poseidonChainCost(n: number): number {
  if (n <= 16) return poseidonCost(n)
  let c = poseidonCost(16)
  for (let rest = n - 16; rest > 0; rest -= 15) c += poseidonCost(Math.min(rest, 15) + 1)
  return c
}

/** Field elements the model commitment hashes (`committed` mode). */
export function modelPreimageLength(spec: NetworkCircuitSpec): number {
  return spec.layers.reduce((s, l) => s + packedLength(l.inputs * l.outputs, l.weightBits) + packedLength(l.outputs, l.biasBits), 0)
}

/**
 * An estimate of a spec's constraint count (before compiling), within a few percent of circom's
 * `--O2` count: range checks, products, activations, head and Poseidon hashes.
 * @param spec - the circuit spec
 * @returns the estimated number of constraints
 */
export function estimateConstraints(spec: NetworkCircuitSpec): number {
  const rows = spec.batch ?? 1
  let c = 0
  if (spec.mode === 'committed') {
    c += poseidonChainCost(modelPreimageLength(spec))
    for (const l of spec.layers) c += l.inputs * l.outputs * l.weightBits + l.outputs * l.biasBits
  }
  if (spec.batch !== undefined) c += poseidonChainCost(spec.batch)
  return c + rows * rowConstraints(spec)
}

/** Constraints of one row: its input's range checks and commitment, products, activations and head. */
function rowConstraints(spec: NetworkCircuitSpec): number {
  let c = spec.inputs * spec.inputBits + poseidonChainCost(packedLength(spec.inputs, spec.inputBits) + 1)
  if (spec.mode === 'committed') for (const l of spec.layers) c += l.inputs * l.outputs
  for (const l of spec.layers) {
    if (l.activation === 'relu') c += l.outputs * (l.rangeBits + 1)
    else if (l.activation === 'square') c += l.outputs * (1 + l.rangeBits)
    else c += l.outputs * l.rangeBits
  }
  const outs = spec.layers[spec.layers.length - 1]!.outputs
  if (spec.head === 'sign') c += spec.headBits
  else if (spec.head === 'argmax') c += outs * (spec.headBits + 2)
  return c
}
