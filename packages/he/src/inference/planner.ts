/**
 * @module inference/planner
 * The parameter planner: from a model (the canonical network of `@krain/models`: any depth, a
 * per-layer activation identity / square / relu / sigmoid / tanh, a sign / argmax / regression
 * head, an optional input standardisation) and a batch size it chooses the layout, the ring
 * degree, the modulus chain and scale (inside SEAL's 128-bit table), the exact Galois steps and
 * the polynomial approximations, and it states the depth, the bounds and the errors — before any
 * key is generated. It refuses, with a typed error naming what it would need, what no parameter
 * set can hold.
 *
 * Layouts:
 * - `sample-per-ciphertext`: one sample per ciphertext, repeated over the slots; each layer is a
 *   baby-step giant-step matrix-vector product (rotations). Lowest latency for one sample.
 * - `feature-major`: ciphertext j holds feature j of up to N/2 samples; each layer is a sum of
 *   ciphertext × scalar products with no rotation and no Galois key. Highest throughput.
 *
 * Admissible inputs: the box |x_j| ≤ `inputBound` of standardised features, or, with
 * `calibration`, the per-feature range of the calibration rows (widened by a margin), in raw
 * units (`inputRange`). The client refuses anything outside it before encrypting.
 *
 * Bounds (see `network-bounds.ts`): interval arithmetic from that box bounds every neuron. ReLU,
 * sigmoid and tanh are replaced by Chebyshev interpolants over each neuron's sound interval (so the
 * approximation range holds for every admissible input), with a stated error bound.
 *
 * Headroom (no silent overflow): a CKKS value v at level l wraps unless |v|·scale < Q_l/2, where
 * Q_l = q0·…·q_l. The planner checks the bound of every layer's pre-activation and output (and
 * of the scores, with their error) against that headroom with a 2^4 margin; when the default
 * chain is too small it raises q0 and lowers the scale, and otherwise throws `HeHeadroomError`
 * naming the bound and the bits it would need. The client checks every decrypted score against
 * `outputBound + errorBound`.
 *
 * Depth: one level per dense layer, one per square, ⌈log2 d⌉ + 1 per approximated activation of
 * degree d (Chebyshev product tree, see `ckks/chebyshev.ts`).
 *
 * Error model (per output, absolute): fresh encryption and each rescale/rotation add about
 * ε = 16·√N / 2^scaleBits; a dense layer multiplies the incoming error by the row's L1 norm (bound)
 * or L2 norm (expected); a square maps error e on a value |h| ≤ M to 2·M·e + e²; an approximated
 * activation adds its approximation error plus Lip(p)·e and ε·Σ|c_i| for its evaluation.
 * `errorBound` is the worst case for admissible inputs; `expectedError` the typical size.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { aBoolean, aFiniteNumber, aPositiveInt, anArray, anObject } from '@krain/core'
import { toNetwork, type Activation, type Head, type Model, type Standardization } from '@krain/models'
import { HeDepthError, HeHeadroomError } from '../errors.js'
import { ckksChainFor, ckksHeadroomBits, CKKS_DEGREES, type CkksParameters } from '../ckks/ckks-parameters.js'
import { matVecShape, nextPow2 } from '../ckks/ops.js'
import { chebyshevDepth, coefficientL1, isApproximated } from './approximation.js'
import { checkModel, inputsOf, layersOf, modelFingerprint, outputsOf } from './model-shape.js'
import { intervalMagnitude, prepareNetwork, type InputBox, type PreparedLayer } from './network-bounds.js'

/** How samples are packed into ciphertexts. */
export type InferenceLayout = 'sample-per-ciphertext' | 'feature-major'

/** Version of the plan format. */
export const INFERENCE_PLAN_VERSION = 2

/** Default degree of the Chebyshev approximations of relu / sigmoid / tanh. */
export const DEFAULT_ACTIVATION_DEGREE = 15

/** Bits of margin between every bound and the headroom of the level it lives at. */
export const HEADROOM_MARGIN_BITS = 4

/** What the plan states about one layer. */
export type PlannedLayer = {
  inputs: number
  outputs: number
  activation: Activation
  /** Levels the layer consumes (dense + activation). */
  levels: number
  /** Sound bounds of the pre-activations over all admissible inputs. */
  range: [number, number]
  /** For relu / sigmoid / tanh: the polynomial that replaces it. */
  approximation?: {
    method: 'chebyshev-interpolation'
    degree: number
    /** Largest error bound of any neuron's polynomial over its range (activation units). */
    maxError: number
  }
}

/** Everything client and server must agree on for one model (JSON-serialisable). */
export type InferencePlan = {
  version: number
  layout: InferenceLayout
  /** Fingerprint of the model's weights; the server refuses another model under this plan. */
  modelId: string
  modelKind: Model['kind']
  head: Head
  inputs: number
  outputs: number
  /** Largest number of samples in one call. */
  batchSize: number
  params: CkksParameters
  /** Levels used (= rescales). */
  depth: number
  /** Exact rotation steps needed (empty for feature-major). */
  galoisSteps: number[]
  /** Whether relinearisation keys are needed (square or approximated activations). */
  relin: boolean
  /** Slots per ciphertext (N/2). */
  slots: number
  /** Layout period of each stage's vector (sample-per-ciphertext). */
  periods: number[]
  /** Ciphertexts sent up / received back for a full batch. */
  inputCiphertexts: number
  outputCiphertexts: number
  /** Standardisation the client applies before encrypting (the model's). */
  standardize?: Standardization
  /** Largest |standardised feature| the client may encrypt. */
  inputBound: number
  /** With calibration: the admissible raw features, per feature (the client refuses others). */
  inputRange?: { lo: number[]; hi: number[] }
  /** Per layer: levels, sound pre-activation range, approximation. */
  layers: PlannedLayer[]
  /** How approximated activations are evaluated. */
  polynomialEvaluation: 'chebyshev-product-tree'
  /** Sound bound on |score| for admissible inputs (approximations included, CKKS error not). */
  outputBound: number
  /** Largest |value| the output level can hold without wrapping (≥ 2^4·(outputBound + errorBound)). */
  headroom: number
  /** Worst-case absolute error of each output score (for admissible inputs). */
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
  /** Bound on |standardised input feature| (default 1; z-scores: use ~4). Ignored with `calibration`. */
  inputBound?: number
  /**
   * Calibration: representative raw rows (their per-feature min and max), the raw per-feature
   * ranges `{ lo, hi }`, or the output of `calibrateRanges` from `@krain/models` (its
   * standardised `inputRange`, mapped back to raw units). The admissible inputs become those
   * ranges widened by `calibrationMargin`.
   */
  calibration?: number[][] | { lo: number[]; hi: number[] } | { inputRange: { min: number; max: number }[] }
  /** Widening of each calibrated range, as a fraction of max(its width, the mean width). Default 0.05. */
  calibrationMargin?: number
  /** Degree of the Chebyshev approximations of relu / sigmoid / tanh (one for all layers or one per layer). Default 15. */
  activationDegree?: number | number[]
  /** Ask for relinearisation keys even when the model does not need them. */
  relin?: boolean
}

const ROT_COST = 8
const MUL_COST = 8
/** Client encryption, upload and loading of one input ciphertext, in mulPlain-equivalents. */
const INPUT_COST = 10
const OUTPUT_COST = 2
const MAX_DEGREE = 63

function finiteVector(v: unknown, name: string, length: number): number[] {
  const a = anArray<number>(v, name, length, length)
  for (let i = 0; i < a.length; i++) aFiniteNumber(a[i], `${name}[${i}]`)
  return a
}

/** Raw per-feature admissible ranges from calibration rows or ranges, widened by the margin. */
function calibratedRange(v: unknown, inputs: number, margin: number, standardize: Standardization | undefined): { lo: number[]; hi: number[] } {
  let lo: number[]
  let hi: number[]
  if (!Array.isArray(v) && typeof v === 'object' && v !== null && Array.isArray((v as { inputRange?: unknown }).inputRange)) {
    // the output of calibrateRanges (@krain/models): per-feature ranges after standardisation
    const ranges = anArray<{ min: number; max: number }>((v as { inputRange: unknown }).inputRange, 'calibration.inputRange', inputs, inputs)
    lo = []
    hi = []
    ranges.forEach((r, j) => {
      const o = anObject(r, `calibration.inputRange[${j}]`)
      const a = aFiniteNumber(o.min, `calibration.inputRange[${j}].min`)
      const b = aFiniteNumber(o.max, `calibration.inputRange[${j}].max`)
      if (a > b) throw new RangeError(`"calibration.inputRange[${j}].min" expected at most its max (${b}), got ${a}`)
      const [x, y] = standardize ? [a * standardize.scale[j]! + standardize.mean[j]!, b * standardize.scale[j]! + standardize.mean[j]!] : [a, b]
      lo.push(Math.min(x, y))
      hi.push(Math.max(x, y))
    })
  } else if (Array.isArray(v)) {
    const rows = anArray<number[]>(v, 'calibration', 1, 1 << 20)
    lo = new Array<number>(inputs).fill(Infinity)
    hi = new Array<number>(inputs).fill(-Infinity)
    rows.forEach((r, i) => {
      finiteVector(r, `calibration[${i}]`, inputs)
      for (let j = 0; j < inputs; j++) {
        lo[j] = Math.min(lo[j]!, r[j]!)
        hi[j] = Math.max(hi[j]!, r[j]!)
      }
    })
  } else {
    const o = anObject(v, 'calibration')
    lo = finiteVector(o.lo, 'calibration.lo', inputs)
    hi = finiteVector(o.hi, 'calibration.hi', inputs)
    lo.forEach((l, j) => {
      if (l > hi[j]!) throw new RangeError(`"calibration.lo[${j}]" expected at most calibration.hi[${j}] (${hi[j]}), got ${l}`)
    })
  }
  const widths = lo.map((l, j) => hi[j]! - l)
  const mean = widths.reduce((a, b) => a + b, 0) / inputs
  return { lo: lo.map((l, j) => l - margin * Math.max(widths[j]!, mean)), hi: hi.map((h, j) => h + margin * Math.max(widths[j]!, mean)) }
}

/** The standardised box of admissible inputs (what interval arithmetic starts from). */
export function inputBoxOf(plan: Pick<InferencePlan, 'inputs' | 'inputBound' | 'inputRange' | 'standardize'>): InputBox {
  if (!plan.inputRange) return { lo: new Array<number>(plan.inputs).fill(-plan.inputBound), hi: new Array<number>(plan.inputs).fill(plan.inputBound) }
  const { lo, hi } = plan.inputRange
  const s = plan.standardize
  if (!s) return { lo: [...lo], hi: [...hi] }
  const a = lo.map((l, j) => (l - s.mean[j]!) / s.scale[j]!)
  const b = hi.map((h, j) => (h - s.mean[j]!) / s.scale[j]!)
  return { lo: a.map((x, j) => Math.min(x, b[j]!)), hi: a.map((x, j) => Math.max(x, b[j]!)) }
}

/** Per-layer approximation degrees of a plan (0 for layers without an approximation). */
export function degreesOf(plan: Pick<InferencePlan, 'layers'>): number[] {
  return plan.layers.map((l) => l.approximation?.degree ?? 0)
}

/**
 * Plan encrypted inference of `model` for batches of up to `batchSize` samples.
 * @param p - model, batch size and optional layout / ring degree / input bound / calibration / degree
 * @returns the plan (share it with the client; the server checks ciphertexts against it)
 * @throws {TypeError} / {RangeError} on a malformed model or arguments
 * @throws {HeDepthError} when the model is deeper than the (chosen) parameters allow; the message names the depth needed
 * @throws {HeHeadroomError} when a bound of the model exceeds what any 128-bit chain can hold; the message names the bound and the bits needed
 * @example
 * ```ts
 * const plan = planInference({ model: breastCancerTask().model, batchSize: 1 })
 * plan.layout // 'sample-per-ciphertext'; plan.galoisSteps // [1, 2, 4, 8, 16]
 * ```
 */
export function planInference(p: PlanInferenceParameters): InferencePlan {
  const model = checkModel(p?.model)
  const net = toNetwork(model)
  const batchSize = aPositiveInt(p.batchSize, 'batchSize')
  if (batchSize > 1 << 20) throw new RangeError(`"batchSize" expected at most ${1 << 20}, got ${batchSize}`)
  if (p.layout !== undefined && p.layout !== 'sample-per-ciphertext' && p.layout !== 'feature-major') throw new TypeError(`"layout" expected 'sample-per-ciphertext' or 'feature-major', got ${String(p.layout)}`)
  const wantRelin = p.relin === undefined ? false : aBoolean(p.relin, 'relin')
  const layers = layersOf(model)
  const inputs = inputsOf(model)
  const outputs = outputsOf(model)

  // admissible inputs
  let inputBound = p.inputBound === undefined ? 1 : aFiniteNumber(p.inputBound, 'inputBound')
  if (inputBound <= 0) throw new RangeError(`"inputBound" expected a positive number, got ${inputBound}`)
  const margin = p.calibrationMargin === undefined ? 0.05 : aFiniteNumber(p.calibrationMargin, 'calibrationMargin')
  if (margin < 0 || margin > 10) throw new RangeError(`"calibrationMargin" expected a number in [0, 10], got ${margin}`)
  const standardize = net.standardize ? { mean: [...net.standardize.mean], scale: [...net.standardize.scale] } : undefined
  const inputRange = p.calibration === undefined ? undefined : calibratedRange(p.calibration, inputs, margin, standardize)
  if (inputRange) {
    const box = inputBoxOf({ inputs, inputBound, inputRange, ...(standardize ? { standardize } : {}) })
    inputBound = Math.max(intervalMagnitude(box.lo, box.hi), Number.MIN_VALUE)
  }

  // approximation degrees
  const rawDegrees = p.activationDegree === undefined ? DEFAULT_ACTIVATION_DEGREE : p.activationDegree
  const degreeList = Array.isArray(rawDegrees) ? anArray<number>(rawDegrees, 'activationDegree', layers.length, layers.length) : new Array<number>(layers.length).fill(rawDegrees)
  const degrees = degreeList.map((d, i) => {
    const name = Array.isArray(rawDegrees) ? `activationDegree[${i}]` : 'activationDegree'
    aPositiveInt(d, name)
    if (d > MAX_DEGREE) throw new RangeError(`"${name}" expected at most ${MAX_DEGREE}, got ${d}`)
    return isApproximated(layers[i]!.activation) ? d : 0
  })

  const plan0 = { inputs, inputBound, ...(inputRange ? { inputRange } : {}), ...(standardize ? { standardize } : {}) }
  const prepared = prepareNetwork(layers, inputBoxOf(plan0), degrees)
  const depth = prepared.reduce((a, l) => a + l.levels, 0)
  const last = prepared[prepared.length - 1]!
  const outputBound = intervalMagnitude(last.aLo, last.aHi)
  if (!Number.isFinite(outputBound)) throw new HeHeadroomError({ shortMessage: 'the model\'s output bound is not finite for the admissible inputs', details: 'lower inputBound or calibrate the inputs' })
  // bits q0 needs above the scale for the scores (with an allowance for their error) and the margin
  const headroomBits = Math.ceil(Math.log2(outputBound * 1.5 + 1) + 1.01 + HEADROOM_MARGIN_BITS)
  const activationLevels = prepared.map((l) => `${l.activation}${l.degree ? ` (degree ${l.degree})` : ''}: ${l.levels}`).join(', ')
  let ringDegrees: readonly number[] = CKKS_DEGREES
  if (p.polyModulusDegree !== undefined) {
    const n = aPositiveInt(p.polyModulusDegree, 'polyModulusDegree')
    if (!(CKKS_DEGREES as readonly number[]).includes(n)) throw new RangeError(`"polyModulusDegree" expected one of ${CKKS_DEGREES.join(', ')}, got ${n}`)
    ringDegrees = [n]
  }
  let params: CkksParameters | undefined
  for (const n of ringDegrees) {
    const plain = ckksChainFor({ polyModulusDegree: n, depth })
    params = plain && plain.coeffModulusBits[0]! - plain.scaleBits >= headroomBits ? plain : ckksChainFor({ polyModulusDegree: n, depth, headroomBits })
    if (params) break
  }
  if (!params) {
    const where = ringDegrees.length === 1 ? `N = ${ringDegrees[0]}` : 'any ring degree (N ≤ 32768)'
    if (!ringDegrees.some((n) => ckksChainFor({ polyModulusDegree: n, depth }))) {
      throw new HeDepthError({ shortMessage: `the model needs depth ${depth}, more than ${where} allows at 128-bit security`, details: `levels per layer: ${activationLevels}; N = 8192 holds 3, 16384 holds 9, 32768 holds 26 (at scale 2^30); lower activationDegree (⌈log2 d⌉ + 1 levels per approximated activation) or use fewer layers` })
    }
    headroomRefusal(outputBound, headroomBits, where)
  }

  const slots = params.polyModulusDegree / 2
  const widest = Math.max(...layers.map((l) => Math.max(l.weights.length, l.weights[0]!.length)))
  const sampleFits = nextPow2(widest) <= slots

  // rotations and periods of the sample-per-ciphertext layout
  const periods = [nextPow2(inputs)]
  const steps = new Set<number>()
  let sampleCost = 0
  for (const l of prepared) {
    const shape = matVecShape(periods[periods.length - 1]!, l.weights.length)
    shape.steps.forEach((s) => steps.add(s))
    sampleCost += shape.m + ROT_COST * shape.steps.length + activationCost(l)
    periods.push(shape.m)
  }
  sampleCost += INPUT_COST + OUTPUT_COST
  sampleCost *= batchSize
  const groups = Math.ceil(batchSize / slots)
  let featureCost = 0
  for (const l of prepared) featureCost += l.weights.length * (l.weights[0]!.length + activationCost(l))
  featureCost += INPUT_COST * inputs + OUTPUT_COST * outputs
  featureCost *= groups

  const layout: InferenceLayout = p.layout ?? (sampleFits && sampleCost <= featureCost ? 'sample-per-ciphertext' : 'feature-major')
  if (layout === 'sample-per-ciphertext' && !sampleFits) throw new RangeError(`"layout" sample-per-ciphertext needs layers of at most ${slots} units at N = ${params.polyModulusDegree}`)
  const sample = layout === 'sample-per-ciphertext'
  const { errorBound, expectedError } = estimateError(prepared, params, sample ? steps.size : 0)
  checkHeadroom(prepared, params, depth, outputBound + errorBound)

  return {
    version: INFERENCE_PLAN_VERSION,
    layout,
    modelId: modelFingerprint(model),
    modelKind: model.kind,
    head: net.head,
    inputs,
    outputs,
    batchSize,
    params,
    depth,
    galoisSteps: sample ? [...steps].sort((a, b) => a - b) : [],
    relin: prepared.some((l) => l.activation === 'square' || (l.degree ?? 0) >= 2) || wantRelin,
    slots,
    periods: sample ? periods : [],
    inputCiphertexts: sample ? batchSize : inputs * groups,
    outputCiphertexts: sample ? batchSize : outputs * groups,
    ...(standardize ? { standardize } : {}),
    inputBound,
    ...(inputRange ? { inputRange } : {}),
    layers: prepared.map((l) => ({
      inputs: l.weights[0]!.length,
      outputs: l.weights.length,
      activation: l.activation,
      levels: l.levels,
      range: [Math.min(...l.zLo), Math.max(...l.zHi)] as [number, number],
      ...(l.degree ? { approximation: { method: 'chebyshev-interpolation' as const, degree: l.degree, maxError: Math.max(...l.approxError!) } } : {}),
    })),
    polynomialEvaluation: 'chebyshev-product-tree',
    outputBound,
    headroom: 2 ** ckksHeadroomBits(params, params.coeffModulusBits.length - 2 - depth),
    errorBound,
    expectedError,
    estimatedCost: { samplePerCiphertext: sampleCost, featureMajor: featureCost },
  }
}

function activationCost(l: PreparedLayer): number {
  if (l.activation === 'square') return MUL_COST
  if (!l.degree) return 0
  return MUL_COST * (l.degree - 1) + l.degree
}

function headroomRefusal(bound: number, bits: number, where: string): never {
  throw new HeHeadroomError({
    shortMessage: `the model's scores can reach ${bound.toExponential(3)} for admissible inputs; that needs ${bits} bits of headroom above the scale, more than ${where} allows at 128-bit security`,
    details: `q0 is at most 60 bits and the scale at least 2^30 (30 bits of headroom); lower inputBound, calibrate the inputs, or rescale the model's weights`,
  })
}

/** Every layer's pre-activation and output must fit the headroom of its level with the margin. */
function checkHeadroom(prepared: PreparedLayer[], params: CkksParameters, depth: number, scores: number): void {
  const top = params.coeffModulusBits.length - 2
  let level = top
  prepared.forEach((l, i) => {
    level -= 1
    const z = l.degree ? 1 + 1e-3 : intervalMagnitude(l.zLo, l.zHi)
    const a = i === prepared.length - 1 ? scores : intervalMagnitude(l.aLo, l.aHi)
    const after = level - (l.levels - 1)
    for (const [what, v, lv] of [
      [`layer ${i} pre-activation`, z, level],
      [i === prepared.length - 1 ? 'the scores (with their error bound)' : `layer ${i} output`, a, after],
    ] as const) {
      const have = ckksHeadroomBits(params, lv)
      const need = Math.log2(Math.max(v, Number.MIN_VALUE)) + HEADROOM_MARGIN_BITS
      if (!(need <= have)) {
        throw new HeHeadroomError({
          shortMessage: `${what} can reach ${v.toExponential(3)}, beyond the headroom of its level`,
          details: `needs ${Math.ceil(need)} bits above the scale at level ${lv}, the chain ${JSON.stringify(params.coeffModulusBits)} (scale 2^${params.scaleBits}) has ${have.toFixed(2)}; lower inputBound, calibrate the inputs, or rescale the model's weights`,
        })
      }
    }
    level = after
  })
  void depth
}

function estimateError(prepared: PreparedLayer[], params: CkksParameters, rotations: number): { errorBound: number; expectedError: number } {
  const eps = (16 * Math.sqrt(params.polyModulusDegree)) / 2 ** params.scaleBits
  let bound = new Array<number>(prepared[0]!.weights[0]!.length).fill(eps)
  let typical = bound.slice()
  for (const l of prepared) {
    const nb: number[] = []
    const nt: number[] = []
    l.weights.forEach((row, k) => {
      let b = 0
      let t = 0
      for (let j = 0; j < row.length; j++) {
        b += Math.abs(row[j]!) * bound[j]!
        t += row[j]! * row[j]! * typical[j]! * typical[j]!
      }
      b += eps * (2 + rotations)
      t = Math.sqrt(t) + eps
      if (l.activation === 'square') {
        const m = Math.max(Math.abs(l.zLo[k]!), Math.abs(l.zHi[k]!))
        b = 2 * m * b + b * b + eps
        t = 2 * m * t + eps
      } else if (l.coefficients) {
        const c = l.coefficients[k]!
        let lip = 0
        for (let i = 1; i < c.length; i++) lip += Math.abs(c[i]!) * i * i
        const evalErr = eps * coefficientL1(c) * (chebyshevDepth(l.degree!) + 2) * 4
        b = lip * b + l.approxError![k]! + evalErr
        t = lip * t + l.approxError![k]! + evalErr
      }
      nb.push(b)
      nt.push(t)
    })
    bound = nb
    typical = nt
  }
  return { errorBound: Math.max(...bound), expectedError: Math.max(...typical) }
}

/** SHA-256 (hex, 32 characters) of the plan's JSON: what ciphertext envelopes bind to. */
export function planDigest(plan: InferencePlan): string {
  return bytesToHex(sha256(utf8ToBytes(`krain/ckks-plan/v2\0${JSON.stringify(plan)}`))).slice(0, 32)
}

const digests = new WeakMap<object, string>()

/** @internal {@link planDigest}, cached per plan object. */
export function planDigestCached(plan: InferencePlan): string {
  let d = digests.get(plan)
  if (d === undefined) digests.set(plan, (d = planDigest(plan)))
  return d
}

/**
 * Check a plan received at a boundary (structure, version, numbers) and return it.
 * @throws {TypeError} when it is not a plan of this version
 */
export function checkPlan(v: unknown, name = 'plan'): InferencePlan {
  const p = v as InferencePlan
  const bad = () => new TypeError(`"${name}" expected an inference plan of version ${INFERENCE_PLAN_VERSION} (from planInference)`)
  if (typeof p !== 'object' || p === null || p.version !== INFERENCE_PLAN_VERSION || (p.layout !== 'sample-per-ciphertext' && p.layout !== 'feature-major') || typeof p.modelId !== 'string' || !Array.isArray(p.galoisSteps) || typeof p.params !== 'object' || p.params === null) throw bad()
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x)
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) > 0
  if (!int(p.inputs) || !int(p.outputs) || !int(p.batchSize) || !int(p.slots) || !num(p.inputBound) || !(p.inputBound > 0) || !num(p.outputBound) || !num(p.errorBound) || !num(p.headroom) || !Array.isArray(p.layers) || !Array.isArray(p.periods)) throw bad()
  if (p.inputRange !== undefined && (!Array.isArray(p.inputRange?.lo) || !Array.isArray(p.inputRange?.hi) || p.inputRange.lo.length !== p.inputs || p.inputRange.hi.length !== p.inputs || !p.inputRange.lo.every(num) || !p.inputRange.hi.every(num))) throw bad()
  if (p.standardize !== undefined && (!Array.isArray(p.standardize?.mean) || !Array.isArray(p.standardize?.scale) || p.standardize.mean.length !== p.inputs || p.standardize.scale.length !== p.inputs || !p.standardize.mean.every(num) || !p.standardize.scale.every((x) => num(x) && x !== 0))) throw bad()
  if (!p.layers.every((l) => typeof l === 'object' && l !== null && int(l.levels) && (l.approximation === undefined || (int(l.approximation.degree) && l.approximation.degree <= MAX_DEGREE)))) throw bad()
  return p
}
