/**
 * @module zk/batch-circuits
 * Batch proofs of a registered model: k rows in one Groth16 proof with the model's k-row batch
 * circuit (`@krain/zk` `buildCircuit({ quantized, batch: k })`, built in its own worker thread and
 * cached by content, so a (shape, k) compiles once per machine; `proveNetworkBatch` in the prover
 * pool). Public signals `[packedOutputs, modelCommitment, batchCommitment]`: one byte per row's
 * output, the model's Poseidon commitment, the Poseidon chain of the rows' input commitments.
 *
 * {@link planBatch} and {@link checkBatchRows} run in the route, before anything is stored: a model
 * that cannot be proven in batch (no generated circuit, a regression head), a row count outside
 * 1..31, a batch circuit whose constraint estimate exceeds the largest powers of tau here, or a row
 * of the wrong width or outside the circuit's input range is a typed 400.
 */
import { readFileSync } from 'node:fs'
import { availablePtau, buildCircuit, circuitId, circuitSpec, estimateConstraints, loadCircuit, MAX_NETWORK_BATCH, maxConstraints, proveNetworkBatch, quantizeNetworkInput, type BuildProgress, type NetworkCircuit, type ProveNetworkBatchReturnType, type QuantizedNetwork } from '@krain/zk'
import { BadRequestError } from '../errors.js'
import { quantizedOfRecord } from '../models/prepare-model.js'
import type { ModelRecord } from '../store/types.js'

/** Largest batch of one proof (the registry's `MAX_BATCH_SIZE`: one byte per row below the field). */
export const MAX_PROVE_BATCH = MAX_NETWORK_BATCH

/** What a batch of k rows of a model needs: its quantisation, batch circuit id and constraint estimate against the limit here. */
export type BatchPlan = { quantized: QuantizedNetwork; k: number; circuitId: string; singleCircuitId: string | null; estimate: number; limit: number }

const notBatchProvable = (m: ModelRecord, why: string): BadRequestError => new BadRequestError('MODEL_NOT_BATCH_PROVABLE', `model "${m.id}" cannot be proven in batch: ${why}`)

/**
 * The quantised network of a model with a generated circuit.
 * @throws {BadRequestError} `MODEL_NOT_BATCH_PROVABLE` for a model without one (HE-only, a shipped circuit, no quantisation)
 */
export function quantizedOfModel(m: ModelRecord): QuantizedNetwork {
  if (!m.commitment) throw notBatchProvable(m, 'it is not provable (no commitment)')
  const quantized = m.meta?.proving.circuit === 'generated' ? quantizedOfRecord(m) : null
  if (!quantized) throw notBatchProvable(m, 'batches need a generated circuit; register the model with a weight mode ("mode": "committed" or "public") to get one')
  return quantized
}

/**
 * Plan a batch of `k` rows of a model, before anything is stored.
 * @throws {BadRequestError} `BATCH_TOO_LARGE` (k outside 1..31), `MODEL_NOT_BATCH_PROVABLE`,
 *   `BATCH_CIRCUIT_TOO_LARGE` (the estimate exceeds the largest powers of tau here; details give both)
 */
export async function planBatch(m: ModelRecord, k: number): Promise<BatchPlan> {
  if (!Number.isInteger(k) || k < 1 || k > MAX_PROVE_BATCH) throw new BadRequestError('BATCH_TOO_LARGE', `"inputs" expected 1..${MAX_PROVE_BATCH} rows (one byte per row's output in one field element), got ${k}`, `limit ${MAX_PROVE_BATCH}`)
  const quantized = quantizedOfModel(m)
  let spec
  try {
    spec = circuitSpec(quantized, k)
  } catch (e) {
    throw notBatchProvable(m, (e as { shortMessage?: string }).shortMessage ?? (e as Error).message)
  }
  const estimate = estimateConstraints(spec)
  const ptau = await availablePtau()
  const limit = ptau.length ? maxConstraints(ptau.at(-1)!.power) : 0
  if (estimate > limit) throw new BadRequestError('BATCH_CIRCUIT_TOO_LARGE', `the ${k}-row batch circuit of model "${m.id}" needs about ${estimate} constraints; the largest powers of tau here allows ${limit} (send fewer rows, or prepare or import a larger one: krain zk ptau)`, `constraints ${estimate}, limit ${limit}`)
  return { quantized, k, circuitId: circuitId(spec), singleCircuitId: m.meta?.proving.circuitId ?? null, estimate, limit }
}

/**
 * Check every row against the model's width and the circuit's input range, and every salt.
 * @throws {BadRequestError} `BATCH_ROW_INVALID` naming the row and the feature; `INVALID_ARGUMENT` for salts
 */
export function checkBatchRows(q: QuantizedNetwork, inputs: readonly (readonly number[])[], salts?: readonly string[]): void {
  inputs.forEach((row, r) => {
    if (row.length !== q.inputs) throw new BadRequestError('BATCH_ROW_INVALID', `"inputs[${r}]" expected ${q.inputs} features (the model's input width), got ${row.length}`)
    try {
      quantizeNetworkInput(q, row, `inputs[${r}]`)
    } catch (e) {
      throw new BadRequestError('BATCH_ROW_INVALID', (e as Error).message)
    }
  })
  if (salts !== undefined && salts.length !== inputs.length) throw new BadRequestError('INVALID_ARGUMENT', `"salts" expected one salt per row (${inputs.length}), got ${salts.length}`)
}

const circuits = new Map<string, NetworkCircuit>()
const building = new Map<string, Promise<NetworkCircuit>>()

/**
 * The k-row batch circuit of a quantised network: from this process's table, the cache, or built
 * (compile and setup in `@krain/zk`'s build worker thread, progress reported). Concurrent requests
 * for one circuit share one build.
 * @throws what `buildCircuit` throws (`ZK_CIRCUIT_TOO_LARGE`, `ZK_CIRCUIT_BUILD_FAILED`, `ZK_ARTIFACT_INVALID`)
 */
export async function batchCircuit({ quantized, k, onProgress }: { quantized: QuantizedNetwork; k: number; onProgress?: (p: BuildProgress) => void }): Promise<NetworkCircuit> {
  const id = circuitId(circuitSpec(quantized, k))
  const known = circuits.get(id)
  if (known) {
    onProgress?.({ phase: 'cached', message: `${id} (${known.constraints} constraints)` })
    return known
  }
  let b = building.get(id)
  if (!b) {
    b = buildCircuit({ quantized, batch: k, ...(onProgress ? { onProgress } : {}) }).finally(() => building.delete(id))
    building.set(id, b)
  }
  const c = await b
  circuits.set(id, c)
  return c
}

/** A batch circuit built here, or found in the circuit cache (every file hash-checked); undefined otherwise. */
function knownCircuit(id: string): NetworkCircuit | undefined {
  const c = circuits.get(id)
  if (c) return c
  try {
    return loadCircuit({ id })
  } catch {
    return undefined
  }
}

/** Solidity source of a (batch or single) generated circuit's verifier, built here or found in the cache; undefined otherwise. */
export function batchVerifierSolidity(id: string): string | undefined {
  const c = knownCircuit(id)
  return c ? readFileSync(c.verifierPath, 'utf8') : undefined
}

/** Verification key of a batch circuit (built here or in the cache), or undefined. */
export function batchVerificationKey(id: string): Record<string, unknown> | undefined {
  return knownCircuit(id)?.vkey
}

/** A built batch circuit as `GET /v1/models/:id/batch-circuit/:k` shows it, or undefined when it is not built here or in the cache. */
export function batchCircuitInfo(id: string): { circuitId: string; constraints: number; devOnly: boolean; vkey: Record<string, unknown> } | undefined {
  const c = knownCircuit(id)
  return c ? { circuitId: c.id, constraints: c.constraints, devOnly: c.devOnly, vkey: c.vkey } : undefined
}

/** Result of {@link proveBatchRows}. */
export type ProveBatchRowsResult = { circuit: NetworkCircuit; proved: ProveNetworkBatchReturnType }

/**
 * Prove k rows of a model: its batch circuit (built when missing, progress reported), then the proof.
 * @throws {BadRequestError} as {@link planBatch}; what `buildCircuit` and `proveNetworkBatch` throw
 */
export async function proveBatchRows({ model, inputs, salts, onProgress }: { model: ModelRecord; inputs: number[][]; salts: string[]; onProgress?: (p: { phase: string; message: string; circuit?: string; constraints?: number }) => void }): Promise<ProveBatchRowsResult> {
  const plan = await planBatch(model, inputs.length)
  const circuit = await batchCircuit({ quantized: plan.quantized, k: plan.k, onProgress: (p) => onProgress?.({ ...p, circuit: plan.circuitId }) })
  onProgress?.({ phase: 'proving', message: `${plan.k} rows with ${circuit.id} (${circuit.constraints} constraints)`, circuit: circuit.id, constraints: circuit.constraints })
  const proved = await proveNetworkBatch({ circuit, quantized: plan.quantized, inputs, salts: salts.map((s) => BigInt(s)) })
  return { circuit, proved }
}
