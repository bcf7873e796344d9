import { describe, expect, it } from 'vitest'
import { P1, P2, shareResidues } from '../src/index.js'

/**
 * χ² statistic of the joint distribution of the top 4 bits of two share vectors (256 cells),
 * against uniform. df = 255: mean 255, sd ≈ 22.6; uniform data stays below 400 except with
 * probability < 10^−8.
 */
function chi2Joint(a: Uint32Array, b: Uint32Array, from: number, to: number, p: number): number {
  const cells = new Float64Array(256)
  for (let i = from; i < to; i++) cells[Math.floor((a[i]! / p) * 16) * 16 + Math.floor((b[i]! / p) * 16)]! += 1
  const e = (to - from) / 256
  return cells.reduce((s, c) => s + (c - e) ** 2 / e, 0)
}

describe('t − 1 shares carry no information', () => {
  const L = 60_000
  for (const secretName of ['zero', 'p − 1', 'a ramp']) {
    it(`the joint distribution of 2 shares (t = 3) is uniform whatever the secret (${secretName})`, () => {
      const secret = new Uint32Array(2 * L)
      for (let i = 0; i < L; i++) {
        secret[i] = secretName === 'zero' ? 0 : secretName === 'p − 1' ? P1 - 1 : i
        secret[L + i] = secretName === 'zero' ? 0 : secretName === 'p − 1' ? P2 - 1 : i
      }
      const shares = shareResidues({ secret, points: [1, 2, 3, 4, 5], threshold: 3 })
      // any 2 of the 5 shares, both primes
      expect(chi2Joint(shares[0]!, shares[1]!, 0, L, P1)).toBeLessThan(400)
      expect(chi2Joint(shares[3]!, shares[4]!, L, 2 * L, P2)).toBeLessThan(400)
    })
  }

  it('the same test sees the leak when the threshold is one too low (the test has power)', () => {
    const secret = new Uint32Array(2 * L) // secret 0, degree-1 sharing: 2 shares determine it
    const shares = shareResidues({ secret, points: [1, 2, 3], threshold: 2 })
    expect(chi2Joint(shares[0]!, shares[1]!, 0, L, P1)).toBeGreaterThan(10_000)
  })
})
