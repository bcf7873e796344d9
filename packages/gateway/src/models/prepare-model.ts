/**
 * @module models/prepare-model
 * Everything registration derives from a user's model before anything is stored: the canonical
 * network (from JSON in any form `assertModel` accepts, or from ONNX bytes through `importOnnx`),
 * its layers and parameter count, its CKKS plan summary (or why it cannot be encrypted), and its
 * provability (a shipped circuit, or a generated one: quantisation checked by `@krain/zk`, the
 * constraint estimate against the largest powers of tau on this machine). A failure here is a
 * typed error and nothing has been written.
 */
import { importOnnx, isOnnxError, modelShape, toNetwork, type Model, type ModelShape } from '@krain/models'
import { availablePtau, circuitId, circuitSpec, commitNetwork, estimateConstraints, maxConstraints, quantizeNetwork, type QuantizedNetwork, type WeightMode } from '@krain/zk'
import { BadRequestError } from '../errors.js'
import { planFor } from '../he/plan.js'
import { commitModelSpec } from '../zk/prover.js'
import { checkModelShape } from './model-shape.js'
import type { ModelMeta } from '../store/rows.js'

/** What registration reports about encrypted inference. */
export type HeSummary =
  | { encryptable: true; polyModulusDegree: number; depth: number; layout: string; relin: boolean; errorBound: number; approximated: string[]; inputRange: boolean }
  | { encryptable: false; code: string; reason: string }

/** What registration reports about proven inference. */
export type ProvingSummary = {
  provable: boolean
  /** `shipped`: one of the circuits in the repository; `generated`: built for this model's shape. */
  circuit: 'shipped' | 'generated' | null
  circuitId: string | null
  mode: WeightMode | null
  constraints: number | null
  /** Largest constraint count the powers of tau on this machine allow. */
  limit: number | null
  /** Quantised labels equal to the float model's on the calibration rows (generated circuits). */
  agreement: number | null
  reason: string | null
}

/** The stored `meta` of a model record (its schema is in `store/rows.ts`). */
export type { ModelMeta }

/** Result of {@link prepareModel}. */
export type PreparedModel = { model: Model; shape: ModelShape; onnx: { producer: string; opset: number; operators: Record<string, number> } | null; he: HeSummary; proving: ProvingSummary; commitment: string | null; meta: ModelMeta; quantized: QuantizedNetwork | null }

/** JSON with bigints (`{ $n: "123" }`). */
export const bigJson = {
  stringify: (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? { $n: x.toString() } : x)),
  parse: <T>(s: string): T => JSON.parse(s, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) && typeof (x as { $n?: unknown }).$n === 'string' && Object.keys(x).length === 1 ? BigInt((x as { $n: string }).$n) : x)) as T,
}

/** The quantised network a stored model carries for its generated circuit (its `meta.quantized`, bigints restored), or null. */
export function quantizedOfRecord(m: { meta?: ModelMeta | null }): QuantizedNetwork | null {
  const quantized = m.meta?.quantized
  return quantized ? bigJson.parse<QuantizedNetwork>(JSON.stringify(quantized)) : null
}

const featureExtreme = (rows: number[][], n: number, pick: (a: number, b: number) => number): number[] => Array.from({ length: n }, (_, i) => rows.reduce((a, r) => pick(a, r[i]!), rows[0]![i]!))

const message = (e: unknown): string => String((e as { shortMessage?: string }).shortMessage ?? (e as Error).message)

function heSummary(model: Model, calibration: { lo: number[]; hi: number[] } | null): HeSummary {
  try {
    const plan = planFor(model, { batchSize: 1, calibration: calibration ?? undefined })
    return {
      encryptable: true,
      polyModulusDegree: plan.params.polyModulusDegree,
      depth: plan.depth,
      layout: plan.layout,
      relin: plan.relin,
      errorBound: plan.errorBound,
      approximated: plan.layers.flatMap((l, i) => ((l as { approximation?: unknown }).approximation ? [`layer ${i}`] : [])),
      inputRange: plan.inputRange !== undefined,
    }
  } catch (e) {
    return { encryptable: false, code: String((e as { code?: string }).code ?? 'HE_UNSUPPORTED_MODEL'), reason: message(e) }
  }
}

/**
 * Derive a registration from a model (JSON) or ONNX bytes.
 * @param p - `{ model }` or `{ onnx }`, optional calibration rows and weight mode (asking for a
 *   mode is asking for proving: then a model that cannot be proven is refused)
 * @returns the model, reports and what to store
 * @throws {BadRequestError} MODEL_INVALID, MODEL_ONNX_* (the importer's error), MODEL_CALIBRATION_INVALID,
 *   MODEL_NOT_PROVABLE (only when a mode was asked for)
 */
export async function prepareModel(p: { model?: unknown; onnx?: Uint8Array; calibration?: number[][]; mode?: WeightMode }): Promise<PreparedModel> {
  let model: Model
  let onnx: PreparedModel['onnx'] = null
  if (p.onnx) {
    try {
      const r = importOnnx(p.onnx)
      model = r.model
      onnx = { producer: r.report.producer, opset: r.report.opset, operators: r.report.operators }
    } catch (e) {
      if (isOnnxError(e)) throw e // typed MODEL_ONNX_* (node, op and the supported list in its message)
      throw new BadRequestError('MODEL_ONNX_INVALID', `the ONNX file could not be imported: ${message(e)}`)
    }
  } else model = p.model as Model
  checkModelShape(model)
  const shape = modelShape(model)
  let calibration: { lo: number[]; hi: number[] } | null = null
  if (p.calibration) {
    if (p.calibration.some((r) => r.length !== shape.inputs)) throw new BadRequestError('MODEL_CALIBRATION_INVALID', `"calibration" rows expected ${shape.inputs} features each`)
    if (!p.calibration.every((r) => r.every(Number.isFinite))) throw new BadRequestError('MODEL_CALIBRATION_INVALID', '"calibration" expected finite numbers')
    // Raw per-feature ranges: the planner widens them by its margin and applies the standardisation.
    calibration = { lo: featureExtreme(p.calibration, shape.inputs, Math.min), hi: featureExtreme(p.calibration, shape.inputs, Math.max) }
  }
  const he = heSummary(model, calibration)
  const notProvable = (reason: string, extra: Partial<ProvingSummary> = {}): ProvingSummary => ({ provable: false, circuit: null, circuitId: null, mode: p.mode ?? null, constraints: null, limit: null, agreement: null, reason, ...extra })
  let proving: ProvingSummary
  let commitment: string | null = null
  let quantized: QuantizedNetwork | null = null
  const shipped = p.mode === undefined ? await commitModelSpec(model) : { commitment: null }
  if (shipped.commitment) {
    commitment = shipped.commitment
    proving = { provable: true, circuit: 'shipped', circuitId: null, mode: 'committed', constraints: null, limit: null, agreement: null, reason: null }
  } else {
    const mode = p.mode ?? 'committed'
    try {
      const q = quantizeNetwork({ model: toNetwork(model), mode, ...(p.calibration ? { calibration: p.calibration } : {}) })
      const spec = circuitSpec(q)
      const constraints = estimateConstraints(spec)
      const ptau = await availablePtau()
      const limit = ptau.length ? maxConstraints(ptau.at(-1)!.power) : 0
      if (constraints > limit) {
        proving = notProvable(`the circuit needs about ${constraints} constraints; the largest powers of tau here allows ${limit} (prepare or import a larger one: krain zk ptau)`, { mode, constraints, limit, circuitId: circuitId(spec) })
      } else {
        quantized = q
        commitment = String(await commitNetwork(q))
        proving = { provable: true, circuit: 'generated', circuitId: circuitId(spec), mode, constraints, limit, agreement: q.report.agreement, reason: null }
      }
    } catch (e) {
      if (!(e as { code?: string }).code && !(e instanceof RangeError) && !(e instanceof TypeError)) throw e
      proving = notProvable(message(e), { mode })
    }
    if (!proving.provable && p.mode !== undefined) throw new BadRequestError('MODEL_NOT_PROVABLE', `the model cannot be proven in ${p.mode} mode: ${proving.reason}`, proving.constraints !== null ? `constraints ${proving.constraints}, limit ${proving.limit}` : undefined)
  }
  const meta: ModelMeta = { source: p.onnx ? 'onnx' : 'json', calibration, proving, quantized: quantized ? JSON.parse(bigJson.stringify(quantized)) : null }
  return { model, shape, onnx, he, proving, commitment, meta, quantized }
}
