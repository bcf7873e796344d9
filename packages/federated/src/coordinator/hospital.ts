/**
 * @module hospital
 * One hospital: its private rows, its identity key, and the local step of a round — train from
 * the global parameters, clip the change to the declared L2 bound, weight it by the sample count
 * (or not, under DP), add its share of the Gaussian noise. Only the result is secret-shared.
 */
import { aNonNegativeInt, anArray } from '@krain/core'
import { addressOf } from '@krain/mpc'
import type { Address, Hex } from '@krain/mpc'
import type { NetworkModel } from '@krain/models'
import { localTrain } from '../train/local-sgd.js'

/** Parameters of the {@link Hospital} constructor. */
export type HospitalParameters = { identityKey: Hex; x: number[][]; y: number[] }

/** The round settings a hospital needs for its local step. */
export type LocalStepParameters = {
  model: NetworkModel
  start: Float64Array
  round: number
  epochs: number
  learningRate: number
  batchSize: number
  mu: number
  clip: number
  /** Rows counted at most this many (the declared per-hospital weight bound). */
  maxSamples: number
  /** Gaussian noise std of the whole sum (σ), or 0; this hospital adds σ/√rosterSize. */
  sigma: number
  rosterSize: number
}

function gaussian(): number {
  const u = new Uint32Array(2)
  globalThis.crypto.getRandomValues(u)
  const a = (u[0]! + 1) / 4294967297
  const b = u[1]! / 4294967296
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b)
}

/** A participating hospital (its rows never leave this object). */
export class Hospital {
  readonly address: Address
  readonly identityKey: Hex
  readonly #x: number[][]
  readonly #y: number[]
  constructor({ identityKey, x, y }: HospitalParameters) {
    this.identityKey = identityKey
    this.address = addressOf(identityKey)
    this.#x = anArray<number[]>(x, 'x', 1)
    this.#y = anArray<number>(y, 'y', x.length, x.length)
  }

  /** Rows held. */
  get size(): number {
    return this.#x.length
  }

  /**
   * The vector this hospital secret-shares in a round: without DP `[n·clip(Δ), n]` (n = min(rows,
   * maxSamples)); with DP `clip(Δ) + N(0, σ²/rosterSize)` (uniform weights, sensitivity = clip).
   */
  localStep(p: LocalStepParameters): Float64Array {
    aNonNegativeInt(p.round, 'round')
    const w = localTrain({ model: p.model, start: p.start, x: this.#x, y: this.#y, epochs: p.epochs, learningRate: p.learningRate, batchSize: p.batchSize, mu: p.mu, seed: p.round * 7919 + (parseInt(this.address.slice(2, 10), 16) >>> 0) })
    const P = w.length
    let norm = 0
    for (let k = 0; k < P; k++) {
      w[k] = w[k]! - p.start[k]!
      norm += w[k]! * w[k]!
    }
    const f = Math.sqrt(norm) > p.clip ? p.clip / Math.sqrt(norm) : 1
    if (p.sigma > 0) {
      const s = p.sigma / Math.sqrt(p.rosterSize)
      // clamp at 12 std so the per-value bound of the session holds (probability < 1e-32 per value)
      for (let k = 0; k < P; k++) w[k] = w[k]! * f + Math.max(-12 * s, Math.min(12 * s, s * gaussian()))
      return w
    }
    const n = Math.min(this.#x.length, p.maxSamples)
    const out = new Float64Array(P + 1)
    for (let k = 0; k < P; k++) out[k] = w[k]! * f * n
    out[P] = n
    return out
  }
}
