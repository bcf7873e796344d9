/**
 * @module network
 * The single owner of a model's structure: validation at the boundary (`assertModel`), the
 * canonical form (`toNetwork`), the shape (`modelShape`) and a fingerprint of the exact canonical
 * model (`modelFingerprint`) that is the same whichever path produced it (JSON, training, ONNX).
 */
import { anArray, anObject } from '@krain/core'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { ACTIVATIONS, type Activation, type DenseLayer, type Head, type Model, type ModelShape, type NetworkLayer, type NetworkModel, type Standardization } from './types.js'

/** Largest width of any layer, and largest number of layers, a model may declare. */
export const MAX_LAYER_WIDTH = 1 << 14
export const MAX_LAYERS = 64
const HEADS: readonly Head[] = ['sign', 'argmax', 'regression']

function finiteRow(v: unknown, name: string, length?: number): number[] {
  const a = anArray<number>(v, name, length ?? 1, length ?? MAX_LAYER_WIDTH)
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) throw new TypeError(`"${name}[${i}]" expected a finite number, got ${String(a[i])}`)
  return a
}

function anActivation(v: unknown, name: string): Activation {
  if (typeof v !== 'string' || !(ACTIVATIONS as readonly string[]).includes(v)) throw new TypeError(`"${name}" expected one of ${ACTIVATIONS.join(', ')}, got ${String(v)}`)
  return v as Activation
}

function checkStandardize(v: unknown, name: string, inputs: number): Standardization | undefined {
  if (v === undefined) return undefined
  const s = anObject(v, name)
  const mean = finiteRow(s.mean, `${name}.mean`, inputs)
  const scale = finiteRow(s.scale, `${name}.scale`, inputs)
  scale.forEach((x, i) => {
    if (x === 0) throw new RangeError(`"${name}.scale[${i}]" expected a non-zero number, got 0`)
  })
  return { mean, scale }
}

function checkDense(l: unknown, name: string, inDim: number | undefined): DenseLayer {
  const layer = anObject(l, name)
  const w = anArray<unknown>(layer.weights, `${name}.weights`, 1, MAX_LAYER_WIDTH)
  const firstLen = Array.isArray(w[0]) ? w[0].length : 0
  if (firstLen < 1) throw new TypeError(`"${name}.weights[0]" expected a non-empty array of numbers`)
  if (inDim !== undefined && firstLen !== inDim) throw new RangeError(`"${name}.weights" expected rows of ${inDim} inputs, got ${firstLen}`)
  const weights = w.map((row, r) => finiteRow(row, `${name}.weights[${r}]`, firstLen))
  const bias = finiteRow(layer.bias, `${name}.bias`, w.length)
  return { weights, bias }
}

/**
 * Check a model's structure (kind, finite weights, consistent layer sizes, activations, head,
 * standardisation) and return it. The one validator of a model in every package.
 * @param v - anything (a parsed JSON body, an imported model)
 * @param name - the argument's name, for messages
 * @returns the model, typed
 * @throws {TypeError} / {RangeError} naming the offending field
 * @example
 * ```ts
 * assertModel({ kind: 'logistic', weights: [1, -1], bias: 0 })
 * ```
 */
export function assertModel(v: unknown, name = 'model'): Model {
  const m = anObject(v, name)
  if (m.kind === 'linear' || m.kind === 'logistic') {
    const weights = finiteRow(m.weights, `${name}.weights`)
    if (typeof m.bias !== 'number' || !Number.isFinite(m.bias)) throw new TypeError(`"${name}.bias" expected a finite number, got ${String(m.bias)}`)
    checkStandardize(m.standardize, `${name}.standardize`, weights.length)
    return m as Model
  }
  if (m.kind === 'mlp') {
    const layers = anArray<unknown>(m.layers, `${name}.layers`, 1, MAX_LAYERS)
    let inDim: number | undefined
    const first = layers.map((l, i) => {
      const d = checkDense(l, `${name}.layers[${i}]`, inDim)
      inDim = d.weights.length
      return d
    })
    if (Array.isArray(m.activation)) {
      const acts = anArray<unknown>(m.activation, `${name}.activation`, layers.length - 1, layers.length - 1)
      acts.forEach((a, i) => anActivation(a, `${name}.activation[${i}]`))
    } else anActivation(m.activation, `${name}.activation`)
    checkStandardize(m.standardize, `${name}.standardize`, first[0]!.weights[0]!.length)
    return m as Model
  }
  if (m.kind === 'network') {
    const layers = anArray<unknown>(m.layers, `${name}.layers`, 1, MAX_LAYERS)
    let inDim: number | undefined
    let inputs = 0
    layers.forEach((l, i) => {
      const d = checkDense(l, `${name}.layers[${i}]`, inDim)
      if (i === 0) inputs = d.weights[0]!.length
      inDim = d.weights.length
      anActivation((l as Record<string, unknown>).activation, `${name}.layers[${i}].activation`)
    })
    if (typeof m.head !== 'string' || !(HEADS as readonly string[]).includes(m.head)) throw new TypeError(`"${name}.head" expected one of ${HEADS.join(', ')}, got ${String(m.head)}`)
    if (m.head === 'sign' && inDim !== 1) throw new RangeError(`"${name}.head" 'sign' expected a model with 1 output, got ${inDim}`)
    checkStandardize(m.standardize, `${name}.standardize`, inputs)
    if (m.classLabels !== undefined) {
      const labels = anArray<unknown>(m.classLabels, `${name}.classLabels`, 1, MAX_LAYER_WIDTH)
      const want = m.head === 'sign' ? 2 : inDim!
      if (m.head === 'regression' || labels.length !== want) throw new RangeError(`"${name}.classLabels" expected ${want} labels for head '${String(m.head)}', got ${labels.length}`)
      if (!labels.every((x) => typeof x === 'string') && !labels.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new TypeError(`"${name}.classLabels" expected all numbers or all strings`)
    }
    return m as Model
  }
  throw new TypeError(`"${name}.kind" expected 'linear', 'logistic', 'mlp' or 'network', got ${String(m.kind)}`)
}

/**
 * The canonical form of any model (no copy of the weight arrays).
 * @param model - a checked model
 * @returns the same model as a {@link NetworkModel}
 */
export function toNetwork(model: Model): NetworkModel {
  if (model.kind === 'network') return model
  const std = model.standardize ? { standardize: model.standardize } : {}
  if (model.kind !== 'mlp') {
    return { kind: 'network', layers: [{ weights: [model.weights], bias: [model.bias], activation: 'identity' }], head: model.kind === 'logistic' ? 'sign' : 'regression', ...std }
  }
  const acts = model.activation
  const layers: NetworkLayer[] = model.layers.map((l, i) => ({
    weights: l.weights,
    bias: l.bias,
    activation: i === model.layers.length - 1 ? 'identity' : Array.isArray(acts) ? acts[i]! : acts,
  }))
  return { kind: 'network', layers, head: 'argmax', ...std }
}

/**
 * The shape of a model (sizes, activations, head), without its weights.
 * @param model - a checked model
 * @returns its {@link ModelShape}
 */
export function modelShape(model: Model): ModelShape {
  const net = toNetwork(model)
  const layers = net.layers.map((l) => ({ inputs: l.weights[0]!.length, outputs: l.weights.length, activation: l.activation }))
  return {
    inputs: layers[0]!.inputs,
    outputs: layers[layers.length - 1]!.outputs,
    layers,
    head: net.head,
    standardized: net.standardize !== undefined,
    parameters: layers.reduce((s, l) => s + l.outputs * (l.inputs + 1), 0),
  }
}

/** Input width of a model. */
export function inputsOf(model: Model): number {
  return modelShape(model).inputs
}

/** Output width of a model. */
export function outputsOf(model: Model): number {
  return modelShape(model).outputs
}

/**
 * A fingerprint (hex, 32 characters) of the canonical model: layers with their activations, head,
 * standardisation and class labels. Equal for the same model whichever path produced it.
 */
export function modelFingerprint(model: Model): string {
  const n = toNetwork(model)
  const canonical = { layers: n.layers.map((l) => ({ w: l.weights, b: l.bias, a: l.activation })), head: n.head, standardize: n.standardize ?? null, classLabels: n.classLabels ?? null }
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(canonical)))).slice(0, 32)
}
