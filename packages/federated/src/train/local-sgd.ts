/**
 * @module local-sgd
 * A hospital's local training step for the canonical network IR: mini-batch SGD on the flat
 * parameter vector, sigmoid cross-entropy for a `sign` head (one output) and softmax
 * cross-entropy for an `argmax` head, hidden activations identity / relu / square / tanh /
 * sigmoid. FedProx (Li et al., MLSys 2020) adds μ/2·‖w − w_global‖² to the local objective.
 */
import type { Activation, NetworkModel } from '@krain/models'
import { FederatedError } from '../errors.js'

/** Parameters of {@link localTrain}. */
export type LocalTrainParameters = {
  /** The network (its layer shapes, activations and head); its weights are ignored. */
  model: NetworkModel
  /** Starting (global) parameters, flat. */
  start: Float64Array
  x: readonly number[][]
  y: readonly number[]
  epochs: number
  learningRate: number
  batchSize: number
  /** FedProx μ (0 = FedAvg). */
  mu: number
  /** Seed of the batch order. */
  seed: number
}

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function act(a: Activation, z: number): number {
  switch (a) {
    case 'identity': return z
    case 'relu': return z > 0 ? z : 0
    case 'square': return z * z
    case 'tanh': return Math.tanh(z)
    case 'sigmoid': return 1 / (1 + Math.exp(-z))
  }
}

function dact(a: Activation, z: number): number {
  switch (a) {
    case 'identity': return 1
    case 'relu': return z > 0 ? 1 : 0
    case 'square': return 2 * z
    case 'tanh': { const t = Math.tanh(z); return 1 - t * t }
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s) }
  }
}

/** Layer offsets into the flat vector: [weightsOffset, biasOffset, out, in]. */
function layout(model: NetworkModel): [number, number, number, number][] {
  let k = 0
  return model.layers.map((l) => {
    const out = l.weights.length
    const inn = l.weights[0]!.length
    const w = k
    k += out * inn
    const b = k
    k += out
    return [w, b, out, inn]
  })
}

/**
 * Run local SGD from `start`; returns the new flat parameters.
 * @throws FederatedError `FED_TRAINING_DIVERGED` if a parameter becomes non-finite
 */
export function localTrain(p: LocalTrainParameters): Float64Array {
  const { model, x, y, mu } = p
  const w = Float64Array.from(p.start)
  const g = new Float64Array(w.length)
  const lay = layout(model)
  const L = lay.length
  const acts = model.layers.map((l) => l.activation)
  const r = rng(p.seed)
  const order = Array.from({ length: x.length }, (_, i) => i)
  const zs: Float64Array[] = lay.map(([, , out]) => new Float64Array(out))
  const as: Float64Array[] = [new Float64Array(0), ...lay.map(([, , out]) => new Float64Array(out))]
  for (let e = 0; e < p.epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (let s = 0; s < order.length; s += p.batchSize) {
      const batch = order.slice(s, s + p.batchSize)
      g.fill(0)
      for (const idx of batch) {
        const input = x[idx]!
        // forward
        for (let l = 0; l < L; l++) {
          const [wo, bo, out, inn] = lay[l]!
          const prev = l === 0 ? input : as[l]!
          const z = zs[l]!
          const a = as[l + 1]!
          for (let o = 0; o < out; o++) {
            let v = w[bo + o]!
            const base = wo + o * inn
            for (let i = 0; i < inn; i++) v += w[base + i]! * prev[i]!
            z[o] = v
            a[o] = act(acts[l]!, v)
          }
        }
        // output delta (loss gradient w.r.t. the last pre-activation; last layer is identity)
        const outA = as[L]!
        let delta: Float64Array
        if (model.head === 'sign') {
          const pr = 1 / (1 + Math.exp(-outA[0]!))
          delta = Float64Array.of(pr - y[idx]!)
        } else if (model.head === 'argmax') {
          let mx = -Infinity
          for (const v of outA) mx = Math.max(mx, v)
          let sum = 0
          delta = new Float64Array(outA.length)
          for (let k = 0; k < outA.length; k++) sum += delta[k] = Math.exp(outA[k]! - mx)
          for (let k = 0; k < outA.length; k++) delta[k] = delta[k]! / sum - (k === y[idx] ? 1 : 0)
        } else {
          delta = Float64Array.of(outA[0]! - y[idx]!)
        }
        if (acts[L - 1] !== 'identity') for (let k = 0; k < delta.length; k++) delta[k]! *= dact(acts[L - 1]!, zs[L - 1]![k]!)
        // backward
        for (let l = L - 1; l >= 0; l--) {
          const [wo, bo, out, inn] = lay[l]!
          const prev = l === 0 ? input : as[l]!
          for (let o = 0; o < out; o++) {
            const d = delta[o]!
            g[bo + o]! += d
            const base = wo + o * inn
            for (let i = 0; i < inn; i++) g[base + i]! += d * prev[i]!
          }
          if (l > 0) {
            const nd = new Float64Array(inn)
            for (let o = 0; o < out; o++) {
              const d = delta[o]!
              const base = wo + o * inn
              for (let i = 0; i < inn; i++) nd[i]! += w[base + i]! * d
            }
            const zp = zs[l - 1]!
            for (let i = 0; i < inn; i++) nd[i]! *= dact(acts[l - 1]!, zp[i]!)
            delta = nd
          }
        }
      }
      const step = p.learningRate / batch.length
      // clip the batch gradient (square activations can blow up), as @krain/models' trainMlp does
      let norm = 0
      for (let k = 0; k < g.length; k++) norm += g[k]! * g[k]!
      norm = Math.sqrt(norm) / batch.length
      const clip = norm > 5 ? 5 / norm : 1
      for (let k = 0; k < w.length; k++) w[k]! -= step * clip * g[k]! + (mu > 0 ? p.learningRate * mu * (w[k]! - p.start[k]!) : 0)
    }
  }
  for (const v of w) if (!Number.isFinite(v)) throw new FederatedError('FED_TRAINING_DIVERGED', { shortMessage: 'local training diverged (non-finite weights)', details: 'lower "learningRate"' })
  return w
}
