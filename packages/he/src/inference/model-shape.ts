/**
 * @module inference/model-shape
 * Validation of `@krain/models` models at the boundary and their view as a list of dense layers
 * (a linear/logistic model is one 1 × n layer), plus a fingerprint that ties a plan to the exact
 * weights it was made for.
 */
import { anArray, anObject } from '@krain/core'
import type { DenseLayer, Model } from '@krain/models'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/** The layers of a model, as `weights[out][in]` and `bias[out]`. */
export function layersOf(model: Model): DenseLayer[] {
  return model.kind === 'mlp' ? model.layers : [{ weights: [model.weights], bias: [model.bias] }]
}

function finiteRow(v: unknown, name: string, length?: number): number[] {
  const a = anArray<number>(v, name, length ?? 1, length ?? 1 << 16)
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) throw new TypeError(`"${name}[${i}]" expected a finite number, got ${String(a[i])}`)
  return a
}

/**
 * Check a model's structure (kinds, finite weights, consistent layer sizes).
 * @throws {TypeError} / {RangeError} naming the offending field
 */
export function checkModel(v: unknown, name = 'model'): Model {
  const m = anObject(v, name)
  if (m.kind === 'linear' || m.kind === 'logistic') {
    finiteRow(m.weights, `${name}.weights`)
    if (typeof m.bias !== 'number' || !Number.isFinite(m.bias)) throw new TypeError(`"${name}.bias" expected a finite number, got ${String(m.bias)}`)
    return m as Model
  }
  if (m.kind !== 'mlp') throw new TypeError(`"${name}.kind" expected 'linear', 'logistic' or 'mlp', got ${String(m.kind)}`)
  if (m.activation !== 'square') throw new TypeError(`"${name}.activation" expected 'square', got ${String(m.activation)}`)
  const layers = anArray<Record<string, unknown>>(m.layers, `${name}.layers`, 1, 16)
  let inDim: number | undefined
  layers.forEach((l, i) => {
    const layer = anObject(l, `${name}.layers[${i}]`)
    const w = anArray<unknown>(layer.weights, `${name}.layers[${i}].weights`, 1, 1 << 14)
    const firstLen = Array.isArray(w[0]) ? w[0].length : 0
    if (inDim !== undefined && firstLen !== inDim) throw new RangeError(`"${name}.layers[${i}].weights" expected rows of ${inDim} inputs, got ${firstLen}`)
    w.forEach((row, r) => finiteRow(row, `${name}.layers[${i}].weights[${r}]`, firstLen || undefined))
    finiteRow(layer.bias, `${name}.layers[${i}].bias`, w.length)
    inDim = w.length
  })
  return m as Model
}

/** Input width of a model. */
export function inputsOf(model: Model): number {
  return layersOf(model)[0]!.weights[0]!.length
}

/** Output width of a model. */
export function outputsOf(model: Model): number {
  const ls = layersOf(model)
  return ls[ls.length - 1]!.weights.length
}

/** A short fingerprint of the model's exact weights. */
export function modelFingerprint(model: Model): string {
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(layersOf(model))))).slice(0, 32)
}
