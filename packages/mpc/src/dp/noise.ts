/**
 * @module noise
 * Distributed discrete-Laplace noise for a differentially private aggregate.
 *
 * Each contributor adds, to every coordinate of its encoded vector, an independent sample of the
 * discrete Laplace (two-sided geometric) distribution P(k) ∝ α^|k| with α = exp(−ε/Δ), where Δ is
 * the L1 sensitivity in encoded units (⌈l1Sensitivity · scale⌉). One such sample alone makes the
 * released sum ε-DP (Ghosh, Roughgarden, Sundararajan 2009), so the aggregate is ε-DP as long as
 * ONE contributor is honest, even if all the others (and the coordinator) collude: noise from the
 * others only adds. The price is n× the variance of a single central sample.
 *
 * Each sample is clamped to ±K with K = ⌈64·ln2·Δ/ε⌉ so the field cannot overflow; clamping
 * costs δ ≤ 2^−64 per coordinate and party (the mass beyond ±K), i.e. (ε, L·n·2^−64)-DP in all.
 * Sampling uses floating-point logarithms (not constant-time; Mironov 2012's attack on floating
 * Laplace does not apply to the geometric sampler's output set, but treat δ as the honest figure).
 */
import { rangeError } from '@krain/core'
import type { DpConfig } from '../protocol/types.js'
import { randomWords } from '../field/random.js'

const TAIL_BITS = 64

/** Encoded sensitivity Δ = ⌈l1Sensitivity · scale⌉. */
export function encodedSensitivity(dp: DpConfig, scale: number): number {
  return Math.max(1, Math.ceil(dp.l1Sensitivity * scale))
}

/**
 * The clamp K of one party's noise sample, in encoded units.
 * @throws RangeError (naming `dp`) when K is not a safe integer (e.g. ε = 5e-324 or a huge sensitivity)
 */
export function dpNoiseBound(dp: DpConfig, scale: number): number {
  const k = Math.ceil((TAIL_BITS * Math.LN2 * encodedSensitivity(dp, scale)) / dp.epsilon)
  if (!Number.isSafeInteger(k)) rangeError('dp', 'epsilon and l1Sensitivity whose noise clamp ⌈64·ln2·Δ/ε⌉ is below 2^53 (raise epsilon or lower l1Sensitivity)', k)
  return k
}

/** Per-coordinate standard deviation of one party's noise, in real (unscaled) units. */
export function dpNoiseStd(dp: DpConfig, scale: number): number {
  const a = Math.exp(-dp.epsilon / encodedSensitivity(dp, scale))
  return Math.sqrt((2 * a) / (1 - a) ** 2) / scale
}

/**
 * Samples of the clamped discrete Laplace distribution for one party.
 * @returns `length` integers in [−K, K]
 */
export function sampleDiscreteLaplace(dp: DpConfig, scale: number, length: number): Float64Array {
  const lnAlpha = -dp.epsilon / encodedSensitivity(dp, scale)
  const K = dpNoiseBound(dp, scale)
  const words = randomWords(new Uint32Array(4 * length))
  const out = new Float64Array(length)
  // uniform in (0, 1] from 53 random bits
  const u = (i: number): number => ((words[i]! >>> 5) * 67108864 + (words[i + 1]! >>> 6) + 1) / 9007199254740992
  for (let i = 0; i < length; i++) {
    const g1 = Math.floor(Math.log(u(4 * i)) / lnAlpha)
    const g2 = Math.floor(Math.log(u(4 * i + 2)) / lnAlpha)
    out[i] = Math.max(-K, Math.min(K, g1 - g2))
  }
  return out
}
