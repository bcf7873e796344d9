/**
 * @module inference/network-bounds
 * The network as the CKKS evaluator runs it, derived deterministically from the model and the
 * plan's input box (so planner and server derive the same thing):
 *
 * - Interval arithmetic from the box of admissible (standardised) inputs gives, for every neuron,
 *   a sound interval [zLo, zHi] of its pre-activation and [aLo, aHi] of its output. Nothing is
 *   sampled: any input the client admits stays inside these intervals.
 * - A neuron with ReLU, sigmoid or tanh is normalised, t = (z − c)/r with c the centre and r a
 *   little over the half-width of its interval, which is folded into the dense layer's row
 *   (W_k/r, (b_k − c)/r); the activation becomes g(t) = f(c + r·t) on [−1, 1], approximated by a
 *   Chebyshev interpolant of the plan's degree. Its error bound widens [aLo, aHi].
 * - Levels: one per dense layer, one per square, ⌈log2 d⌉ + 1 per approximated activation.
 */
import type { Activation, NetworkLayer } from '@krain/models'
import { activationFunction, activationLipschitz, chebyshevDepth, chebyshevErrorBound, chebyshevInterpolate, coefficientL1, isApproximated } from './approximation.js'

/** Per-feature box of the (standardised) inputs the client may encrypt. */
export type InputBox = { lo: number[]; hi: number[] }

/** One layer as evaluated under CKKS. */
export type PreparedLayer = {
  activation: Activation
  /** Dense weights and bias as evaluated (normalisation folded in for approximated activations). */
  weights: number[][]
  bias: number[]
  /** Sound interval of each neuron's pre-activation z (model units). */
  zLo: number[]
  zHi: number[]
  /** Sound interval of each neuron's output as computed (approximation error included). */
  aLo: number[]
  aHi: number[]
  /** Approximated activations: degree, per-neuron Chebyshev coefficients, normalisation radius, error bound. */
  degree?: number
  coefficients?: number[][]
  radius?: number[]
  approxError?: number[]
  /** Levels the layer consumes (dense + activation). */
  levels: number
}

/** Slack on the normalisation radius: CKKS noise may push t a hair past ±1. */
const RADIUS_SLACK = 1 + 1 / 64

/**
 * Derive the evaluated network (see the module notes).
 * @param layers - the canonical layers (`toNetwork(model).layers`)
 * @param box - the admissible standardised inputs
 * @param degrees - per layer: degree of the approximation (used for relu/sigmoid/tanh only)
 */
export function prepareNetwork(layers: readonly NetworkLayer[], box: InputBox, degrees: readonly number[]): PreparedLayer[] {
  let lo = box.lo
  let hi = box.hi
  return layers.map((layer, li) => {
    const out = layer.weights.length
    const zLo = new Array<number>(out)
    const zHi = new Array<number>(out)
    for (let k = 0; k < out; k++) {
      const w = layer.weights[k]!
      let a = layer.bias[k]!
      let b = layer.bias[k]!
      for (let j = 0; j < w.length; j++) {
        const x = w[j]!
        if (x >= 0) {
          a += x * lo[j]!
          b += x * hi[j]!
        } else {
          a += x * hi[j]!
          b += x * lo[j]!
        }
      }
      zLo[k] = a
      zHi[k] = b
    }
    const act = layer.activation
    const f = activationFunction(act)
    let prepared: PreparedLayer
    if (isApproximated(act)) {
      const degree = degrees[li]!
      const radius = new Array<number>(out)
      const coefficients: number[][] = []
      const approxError = new Array<number>(out)
      const weights: number[][] = []
      const bias = new Array<number>(out)
      const aLo = new Array<number>(out)
      const aHi = new Array<number>(out)
      for (let k = 0; k < out; k++) {
        const c = (zLo[k]! + zHi[k]!) / 2
        const r = ((zHi[k]! - zLo[k]!) / 2) * RADIUS_SLACK + 1e-6 * Math.max(1, Math.abs(c))
        const g = (t: number) => f(c + r * t)
        const coef = chebyshevInterpolate(g, degree)
        const err = chebyshevErrorBound(g, coef, r * activationLipschitz(act))
        radius[k] = r
        coefficients.push(coef)
        approxError[k] = err
        weights.push(layer.weights[k]!.map((w) => w / r))
        bias[k] = (layer.bias[k]! - c) / r
        aLo[k] = f(zLo[k]!) - err
        aHi[k] = f(zHi[k]!) + err
      }
      prepared = { activation: act, weights, bias, zLo, zHi, aLo, aHi, degree, coefficients, radius, approxError, levels: 1 + chebyshevDepth(degree) }
    } else if (act === 'square') {
      const aLo = zLo.map((l, k) => (l <= 0 && zHi[k]! >= 0 ? 0 : Math.min(l * l, zHi[k]! * zHi[k]!)))
      const aHi = zLo.map((l, k) => Math.max(l * l, zHi[k]! * zHi[k]!))
      prepared = { activation: act, weights: layer.weights, bias: layer.bias, zLo, zHi, aLo, aHi, levels: 2 }
    } else {
      prepared = { activation: act, weights: layer.weights, bias: layer.bias, zLo, zHi, aLo: zLo, aHi: zHi, levels: 1 }
    }
    lo = prepared.aLo
    hi = prepared.aHi
    return prepared
  })
}

/** Largest |value| in a list of intervals. */
export function intervalMagnitude(lo: readonly number[], hi: readonly number[]): number {
  let m = 0
  for (let i = 0; i < lo.length; i++) m = Math.max(m, Math.abs(lo[i]!), Math.abs(hi[i]!))
  return m
}

/** Σ|c_i| of each neuron's polynomial (bounds |p| and its noise amplification). */
export function polynomialGain(layer: PreparedLayer): number {
  return layer.coefficients ? Math.max(...layer.coefficients.map(coefficientL1)) : 1
}
