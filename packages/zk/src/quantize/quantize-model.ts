/**
 * @module quantize-model
 * Fixed-point quantisation of a plaintext `@krain/models` model for its circuit.
 *
 * Weights use a symmetric max-abs scale: `s_w = (2^(B_w-1) - 1) / max|w|`, `w_q = round(w * s_w)`.
 * Inputs use the circuit's fixed scale `s_x` (`x_q = round(x * s_x)`). A bias is quantised at the
 * scale of the products it is added to: `b_q = round(b * s_x * s_w)` for a first layer, and
 * `round(b * (s_x s_1)^2 * s_2)` after the square activation of the MLP. The quantised model
 * is integers only, so the circuit, this package and any verifier compute the same thing
 * exactly; only the float → integer step carries error (see the README's error bounds).
 */
import { aFiniteNumber, anArray, anObject, typeError } from '@krain/core'
import { assertModel, modelShape, type DenseLayer, type LinearModel, type MlpModel, type Model } from '@krain/models'
import { ZkUnsupportedModelError } from '../errors.js'
import { CIRCUITS, type LogisticCircuitSpec, type MlpCircuitSpec } from '../spec.js'
import { fitsSigned } from './pack.js'

/** A quantised logistic-regression model (integers), for `inference_logistic` and its batch form. */
export type QuantizedLogisticModel = {
  kind: 'logistic'
  quantized: true
  weights: bigint[]
  bias: bigint
  /** Scale of the inputs (`x_q = round(x * inputScale)`). */
  inputScale: number
  /** Scale of the weights; the score's scale is `inputScale * weightScale`. */
  weightScale: number
}

/** A quantised MLP (integers), for `inference_mlp`. */
export type QuantizedMlpModel = {
  kind: 'mlp'
  quantized: true
  layers: [{ weights: bigint[][]; bias: bigint[] }, { weights: bigint[][]; bias: bigint[] }]
  inputScale: number
  weightScales: [number, number]
}

/** Any quantised model. */
export type QuantizedModel = QuantizedLogisticModel | QuantizedMlpModel

/** True when `m` is already quantised. */
export function isQuantizedModel(m: unknown): m is QuantizedModel {
  return typeof m === 'object' && m !== null && (m as { quantized?: unknown }).quantized === true
}

function maxAbs(values: readonly number[]): number {
  let m = 0
  for (const v of values) m = Math.max(m, Math.abs(v))
  return m
}

function scaleFor(bits: number, values: readonly number[]): number {
  const m = maxAbs(values)
  return m === 0 ? 1 : (2 ** (bits - 1) - 1) / m
}

function q(v: number, scale: number, bits: number, name: string): bigint {
  const r = BigInt(Math.round(v * scale))
  if (!fitsSigned(r, bits)) {
    throw new ZkUnsupportedModelError({
      shortMessage: `"${name}" does not fit the circuit after quantisation`,
      details: `${v} at scale ${scale} needs more than ${bits} signed bits`,
    })
  }
  return r
}

function numbers(v: unknown, name: string, length: number): number[] {
  const a = anArray<unknown>(v, name, length, length)
  a.forEach((x, i) => aFiniteNumber(x, `${name}[${i}]`))
  return a as number[]
}

function quantizeLogistic(model: LinearModel, spec: LogisticCircuitSpec): QuantizedLogisticModel {
  const w = numbers(model.weights, 'model.weights', spec.features)
  const b = aFiniteNumber(model.bias, 'model.bias')
  const weightScale = scaleFor(spec.weightBits, w)
  return {
    kind: 'logistic',
    quantized: true,
    weights: w.map((v, i) => q(v, weightScale, spec.weightBits, `model.weights[${i}]`)),
    bias: q(b, spec.inputScale * weightScale, spec.biasBits, 'model.bias'),
    inputScale: spec.inputScale,
    weightScale,
  }
}

function layerOf(v: unknown, name: string, outs: number, ins: number): DenseLayer {
  const o = anObject(v, name)
  const weights = anArray<unknown>(o.weights, `${name}.weights`, outs, outs).map((r, i) => numbers(r, `${name}.weights[${i}]`, ins))
  return { weights, bias: numbers(o.bias, `${name}.bias`, outs) }
}

function quantizeMlp(model: MlpModel, spec: MlpCircuitSpec): QuantizedMlpModel {
  if (model.activation !== 'square') throw new ZkUnsupportedModelError({ shortMessage: `"model.activation" must be 'square'`, details: `got ${String(model.activation)}` })
  const layers = anArray<unknown>(model.layers, 'model.layers', 2, 2)
  const l1 = layerOf(layers[0], 'model.layers[0]', spec.hidden, spec.features)
  const l2 = layerOf(layers[1], 'model.layers[1]', spec.classes, spec.hidden)
  const s1 = scaleFor(spec.weightBits, l1.weights.flat())
  const s2 = scaleFor(spec.weightBits, l2.weights.flat())
  const h = spec.inputScale * s1
  const qw = (l: DenseLayer, s: number, name: string): bigint[][] => l.weights.map((r, o) => r.map((v, i) => q(v, s, spec.weightBits, `${name}.weights[${o}][${i}]`)))
  return {
    kind: 'mlp',
    quantized: true,
    layers: [
      { weights: qw(l1, s1, 'model.layers[0]'), bias: l1.bias.map((v, o) => q(v, h, spec.biasBits[0], `model.layers[0].bias[${o}]`)) },
      { weights: qw(l2, s2, 'model.layers[1]'), bias: l2.bias.map((v, o) => q(v, h * h * s2, spec.biasBits[1], `model.layers[1].bias[${o}]`)) },
    ],
    inputScale: spec.inputScale,
    weightScales: [s1, s2],
  }
}

/**
 * Quantise a plaintext model for its circuit (`logistic` → `inference_logistic`, 30 features;
 * `mlp` → `inference_mlp`, 64-16-10 square activation). A quantised model is returned as is.
 * @param model - a `LinearModel` of kind `logistic` or an `MlpModel`, or an already quantised model
 * @returns the integer model the circuit evaluates
 * @throws {TypeError} when `model` is not a model
 * @throws {RangeError} when a layer or weight vector has the wrong size
 * @throws {ZkUnsupportedModelError} for a `linear` model, another activation, or a bias too large for its bit width
 * @example
 * ```ts
 * const q = quantizeModel(breastCancerTask().model)
 * q.weights.length // 30
 * ```
 */
export function quantizeModel(model: Model | QuantizedModel): QuantizedModel {
  const m = anObject(model, 'model')
  if (isQuantizedModel(m)) return validateQuantized(m)
  if (m.kind === 'logistic' || m.kind === 'mlp') checkShape(assertModel(m, 'model'))
  if (m.kind === 'logistic') return quantizeLogistic(m as LinearModel, CIRCUITS.inference_logistic)
  if (m.kind === 'mlp') return quantizeMlp(m as MlpModel, CIRCUITS.inference_mlp)
  if (m.kind === 'linear') throw new ZkUnsupportedModelError({ shortMessage: 'linear regression models have no proof circuit; use a logistic or mlp model' })
  return typeError('model.kind', "'logistic' or 'mlp'", m.kind)
}

/**
 * The shipped circuits' shapes, checked through the model IR's one owner of shapes
 * (`assertModel`, `modelShape`); any other shape goes through `quantizeNetwork` + `buildCircuit`.
 */
function checkShape(model: Model): void {
  const s = modelShape(model)
  const want = model.kind === 'logistic' ? `${CIRCUITS.inference_logistic.features}` : `${CIRCUITS.inference_mlp.features}-${CIRCUITS.inference_mlp.hidden}-${CIRCUITS.inference_mlp.classes}`
  const got = [s.inputs, ...s.layers.map((l) => l.outputs)].join('-')
  if (got !== (model.kind === 'logistic' ? `${want}-1` : want)) {
    throw new RangeError(`"model" expected the shape of the shipped ${model.kind} circuit (${want}), got ${got}; other shapes: quantizeNetwork + buildCircuit`)
  }
}

function ints(v: unknown, name: string, length: number, bits: number): bigint[] {
  const a = anArray<unknown>(v, name, length, length)
  a.forEach((x, i) => {
    if (typeof x !== 'bigint') typeError(`${name}[${i}]`, 'a bigint', x)
    if (!fitsSigned(x, bits)) throw new RangeError(`"${name}[${i}]" expected a signed ${bits}-bit integer, got ${x}n`)
  })
  return a as bigint[]
}

function validateQuantized(m: QuantizedModel): QuantizedModel {
  if (m.kind === 'logistic') {
    const s = CIRCUITS.inference_logistic
    ints(m.weights, 'model.weights', s.features, s.weightBits)
    ints([m.bias], 'model.bias', 1, s.biasBits)
    return m
  }
  if (m.kind === 'mlp') {
    const s = CIRCUITS.inference_mlp
    const ls = anArray<QuantizedMlpModel['layers'][number]>(m.layers, 'model.layers', 2, 2)
    anArray(ls[0].weights, 'model.layers[0].weights', s.hidden, s.hidden).forEach((r, o) => ints(r, `model.layers[0].weights[${o}]`, s.features, s.weightBits))
    ints(ls[0].bias, 'model.layers[0].bias', s.hidden, s.biasBits[0])
    anArray(ls[1].weights, 'model.layers[1].weights', s.classes, s.classes).forEach((r, o) => ints(r, `model.layers[1].weights[${o}]`, s.hidden, s.weightBits))
    ints(ls[1].bias, 'model.layers[1].bias', s.classes, s.biasBits[1])
    return m
  }
  return typeError('model.kind', "'logistic' or 'mlp'", (m as { kind?: unknown }).kind)
}
