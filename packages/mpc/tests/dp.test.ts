import { describe, expect, it } from 'vitest'
import { sampleDiscreteLaplace, dpNoiseBound, dpNoiseStd, simulate } from '../src/index.js'
import { identities } from './helpers.js'

describe('distributed discrete-Laplace noise', () => {
  it('has the discrete Laplace variance and stays within its clamp', () => {
    const dp = { epsilon: 0.5, l1Sensitivity: 1 }
    const scale = 16
    const x = sampleDiscreteLaplace(dp, scale, 200_000)
    const mean = x.reduce((s, v) => s + v, 0) / x.length
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length
    const expected = (dpNoiseStd(dp, scale) * scale) ** 2 // 2α/(1−α)², α = e^(−ε/Δ)
    expect(Math.abs(mean)).toBeLessThan(0.5)
    expect(variance / expected).toBeGreaterThan(0.95)
    expect(variance / expected).toBeLessThan(1.05)
    expect(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(dpNoiseBound(dp, scale))
    expect(x.every(Number.isInteger)).toBe(true)
  })

  it('a DP session releases a noisy sum whose error matches n independent samples', () => {
    const { coordinatorKey, keys } = identities(4, 4000)
    const L = 2000
    const dp = { epsilon: 1, l1Sensitivity: 1 }
    const run = simulate({ parties: keys.map((k) => ({ identityKey: k, values: new Array(L).fill(1) })), coordinatorKey, threshold: 3, length: L, scale: 8, bound: 10, dp })
    const err = run.result!.values.map((v) => v - 4)
    const rms = Math.sqrt(err.reduce((s, e) => s + e * e, 0) / L)
    const expected = Math.sqrt(4) * dpNoiseStd(dp, 8)
    expect(rms / expected).toBeGreaterThan(0.85)
    expect(rms / expected).toBeLessThan(1.15)
    expect(run.config.dp).toEqual(dp)
  })
})
