/**
 * @module inference/planner
 * The parameter planner: from a model and a batch size it chooses the layout, the ring degree,
 * the modulus chain and scale (inside SEAL's 128-bit table), the exact Galois steps, and it
 * reports the multiplicative depth and the expected error — before any key is generated.
 *
 * Layouts:
 * - `sample-per-ciphertext`: one sample per ciphertext, repeated over the slots; each layer is a
 *   baby-step giant-step matrix-vector product (rotations). Lowest latency for one sample.
 * - `feature-major`: ciphertext j holds feature j of up to N/2 samples; each layer is a sum of
 *   ciphertext × scalar products with no rotation and no Galois key. Highest throughput.
 *
 * Depth: one level per dense layer and one per square activation (x ↦ x² is one product).
 * Error model (per output, absolute): fresh encryption and each rescale/rotation add about
 * ε = 16·√N / 2^scaleBits; a dense layer multiplies the incoming error by the row's L1 norm (bound)
 * or L2 norm (expected); a square maps error e on a value |h| ≤ M to 2·M·e + e². `errorBound` is
 * the worst case for inputs with |x| ≤ inputBound; `expectedError` the typical size.
 */
import { aBoolean, aFiniteNumber, aPositiveInt } from '@krain/core'
import type { Model } from '@krain/models'
import { HeDepthError } from '../errors.js'
import { ckksChainFor, ckksParametersForDepth, CKKS_DEGREES, type CkksParameters } from '../ckks/ckks-parameters.js'
import { matVecShape, nextPow2 } from '../ckks/ops.js'
import { checkModel, inputsOf, layersOf, modelFingerprint, outputsOf } from './model-shape.js'

/** How samples are packed into ciphertexts. */
export type InferenceLayout = 'sample-per-ciphertext' | 'feature-major'

/** Version of the plan format. */
export const INFERENCE_PLAN_VERSION = 1

/** Everything client and server must agree on for one model (JSON-serialisable). */
export type InferencePlan = {
  version: number
  layout: InferenceLayout
  /** Fingerprint of the model's weights; the server refuses another model under this plan. */
  modelId: string
  modelKind: Model['kind']
  inputs: number
  outputs: number
  /** Largest number of samples in one call. */
  batchSize: number
  params: CkksParameters
  /** Levels used (= rescales): dense layers + square activations. */
  depth: number
  /** Exact rotation steps needed (empty for feature-major). */
  galoisSteps: number[]
  /** Whether relinearisation keys are needed (square activations). */
  relin: boolean
  /** Slots per ciphertext (N/2). */
  slots: number
  /** Layout period of each stage's vector (sample-per-ciphertext). */
  periods: number[]
  /** Ciphertexts sent up / received back for a full batch. */
  inputCiphertexts: number
  outputCiphertexts: number
  /** |x| bound the error estimate assumes. */
  inputBound: number
  /** Worst-case absolute error of each output score (for |x| ≤ inputBound). */
  errorBound: number
  /** Typical absolute error of each output score. */
  expectedError: number
  /** Relative cost estimate used to choose the layout (mulPlain-equivalents per batch). */
  estimatedCost: { samplePerCiphertext: number; featureMajor: number }
}

/** Parameters of {@link planInference}. */
export type PlanInferenceParameters = {
  model: Model
  /** Largest number of samples per call (≥ 1). */
  batchSize: number
  /** Force a layout (default: the cheaper one for this batch). */
  layout?: InferenceLayout
  /** Force a ring degree (8192, 16384, 32768); default: the smallest that fits. */
  polyModulusDegree?: number
  /** Bound on |input feature| for the error estimate (default 1; z-scores: use ~4). */
  inputBound?: number
  /** Ask for relinearisation keys even when the model does not need them. */
  relin?: boolean
}

const ROT_COST = 8
const MUL_COST = 8
/** Client encryption, upload and loading of one input ciphertext, in mulPlain-equivalents. */
const INPUT_COST = 10
const OUTPUT_COST = 2

/**
 * Plan encrypted inference of `model` for batches of up to `batchSize` samples.
 * @param p - model, batch size and optional layout / ring degree / input bound
 * @returns the plan (share it with the client; the server checks ciphertexts against it)
 * @throws {TypeError} / {RangeError} on a malformed model or arguments
 * @throws {HeDepthError} when the model is deeper than the (chosen) parameters allow
 * @example
 * ```ts
 * const plan = planInference({ model: breastCancerTask().model, batchSize: 1 })
 * plan.layout // 'sample-per-ciphertext'; plan.galoisSteps // [1, 2, 4, 8, 16]
 * ```
 */
export function planInference(p: PlanInferenceParameters): InferencePlan {
  const model = checkModel(p?.model)
  const batchSize = aPositiveInt(p.batchSize, 'batchSize')
  if (batchSize > 1 << 20) throw new RangeError(`"batchSize" expected at most ${1 << 20}, got ${batchSize}`)
  const inputBound = p.inputBound === undefined ? 1 : aFiniteNumber(p.inputBound, 'inputBound')
  if (inputBound <= 0) throw new RangeError(`"inputBound" expected a positive number, got ${inputBound}`)
  if (p.layout !== undefined && p.layout !== 'sample-per-ciphertext' && p.layout !== 'feature-major') throw new TypeError(`"layout" expected 'sample-per-ciphertext' or 'feature-major', got ${String(p.layout)}`)
  const wantRelin = p.relin === undefined ? false : aBoolean(p.relin, 'relin')
  const layers = layersOf(model)
  const squares = layers.length - 1
  const depth = layers.length + squares
  let params: CkksParameters
  if (p.polyModulusDegree !== undefined) {
    const n = aPositiveInt(p.polyModulusDegree, 'polyModulusDegree')
    if (!(CKKS_DEGREES as readonly number[]).includes(n)) throw new RangeError(`"polyModulusDegree" expected one of ${CKKS_DEGREES.join(', ')}, got ${n}`)
    const chain = ckksChainFor({ polyModulusDegree: n, depth })
    if (!chain) throw new HeDepthError({ shortMessage: `the model needs depth ${depth}, more than N = ${n} allows at 128-bit security`, details: `${layers.length} dense layers + ${squares} square activations` })
    params = chain
  } else {
    params = ckksParametersForDepth(depth)
  }
  const slots = params.polyModulusDegree / 2
  const inputs = inputsOf(model)
  const outputs = outputsOf(model)
  const widest = Math.max(...layers.map((l) => Math.max(l.weights.length, l.weights[0]!.length)))
  const sampleFits = nextPow2(widest) <= slots

  // rotations and periods of the sample-per-ciphertext layout
  const periods = [nextPow2(inputs)]
  const steps = new Set<number>()
  let sampleCost = 0
  for (const l of layers) {
    const shape = matVecShape(periods[periods.length - 1]!, l.weights.length)
    shape.steps.forEach((s) => steps.add(s))
    sampleCost += shape.m + ROT_COST * shape.steps.length
    periods.push(shape.m)
  }
  sampleCost += squares * MUL_COST + INPUT_COST + OUTPUT_COST
  sampleCost *= batchSize
  const groups = Math.ceil(batchSize / slots)
  let featureCost = 0
  for (const l of layers) featureCost += l.weights.length * l.weights[0]!.length
  featureCost += MUL_COST * layers.slice(0, -1).reduce((a, l) => a + l.weights.length, 0)
  featureCost += INPUT_COST * inputs + OUTPUT_COST * layers[layers.length - 1]!.weights.length
  featureCost *= groups

  let layout: InferenceLayout = p.layout ?? (sampleFits && sampleCost <= featureCost ? 'sample-per-ciphertext' : 'feature-major')
  if (layout === 'sample-per-ciphertext' && !sampleFits) throw new RangeError(`"layout" sample-per-ciphertext needs layers of at most ${slots} units at N = ${params.polyModulusDegree}`)
  const sample = layout === 'sample-per-ciphertext'
  const { errorBound, expectedError } = estimateError(model, params, inputBound, sample ? [...steps].length : 0)
  return {
    version: INFERENCE_PLAN_VERSION,
    layout,
    modelId: modelFingerprint(model),
    modelKind: model.kind,
    inputs,
    outputs,
    batchSize,
    params,
    depth,
    galoisSteps: sample ? [...steps].sort((a, b) => a - b) : [],
    relin: squares > 0 || wantRelin,
    slots,
    periods: sample ? periods : [],
    inputCiphertexts: sample ? batchSize : inputs * groups,
    outputCiphertexts: sample ? batchSize : outputs * groups,
    inputBound,
    errorBound,
    expectedError,
    estimatedCost: { samplePerCiphertext: sampleCost, featureMajor: featureCost },
  }
}

function estimateError(model: Model, params: CkksParameters, inputBound: number, rotations: number): { errorBound: number; expectedError: number } {
  const eps = (16 * Math.sqrt(params.polyModulusDegree)) / 2 ** params.scaleBits
  const layers = layersOf(model)
  let bound = eps
  let typical = eps
  let mag = inputBound
  let magTypical = inputBound
  layers.forEach((l, i) => {
    let nb = 0
    let nt = 0
    let nm = 0
    let nmt = 0
    l.weights.forEach((row, r) => {
      const l1 = row.reduce((a, w) => a + Math.abs(w), 0)
      const l2 = Math.sqrt(row.reduce((a, w) => a + w * w, 0))
      nb = Math.max(nb, l1 * bound)
      nt = Math.max(nt, l2 * typical)
      nm = Math.max(nm, l1 * mag + Math.abs(l.bias[r]!))
      nmt = Math.max(nmt, l2 * magTypical + Math.abs(l.bias[r]!))
    })
    bound = nb + eps * (2 + rotations)
    typical = nt + eps
    mag = nm
    magTypical = nmt
    if (i < layers.length - 1) {
      bound = 2 * mag * bound + bound * bound + eps
      typical = 2 * magTypical * typical + eps
      mag = mag * mag
      magTypical = magTypical * magTypical
    }
  })
  return { errorBound: bound, expectedError: typical }
}

/**
 * Check a plan received at a boundary (structure and version) and return it.
 * @throws {TypeError} when it is not a plan of this version
 */
export function checkPlan(v: unknown, name = 'plan'): InferencePlan {
  const p = v as InferencePlan
  if (typeof p !== 'object' || p === null || p.version !== INFERENCE_PLAN_VERSION || (p.layout !== 'sample-per-ciphertext' && p.layout !== 'feature-major') || typeof p.modelId !== 'string' || !Array.isArray(p.galoisSteps) || typeof p.params !== 'object') {
    throw new TypeError(`"${name}" expected an inference plan of version ${INFERENCE_PLAN_VERSION} (from planInference)`)
  }
  return p
}
