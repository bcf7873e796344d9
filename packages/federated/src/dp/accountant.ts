/**
 * @module accountant
 * Rényi-DP accountant for the Gaussian mechanism (Mironov, CSF 2017), composed over rounds and
 * converted to (ε, δ) with the tighter conversion of Balle et al. (AISTATS 2020, Thm 21), the one
 * Opacus and TF-Privacy use. One round releases Σ_k clip(Δ_k) + N(0, σ²) where one hospital's
 * clipped update has L2 sensitivity C, so its RDP at order α is α·C²/(2σ²). No subsampling
 * amplification is claimed: every present hospital contributes every round.
 */

/** Orders α at which the RDP curve is evaluated. */
export const RDP_ORDERS: readonly number[] = [1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 48, 64, 96, 128, 256, 512, 1024]

/** RDP of one Gaussian release with noise multiplier z = σ / C, per order. */
export function gaussianRdp(noiseMultiplier: number): number[] {
  return RDP_ORDERS.map((a) => a / (2 * noiseMultiplier * noiseMultiplier))
}

/** ε of an RDP curve at `delta` (minimum over the orders). */
export function rdpToEpsilon(rdp: readonly number[], delta: number): number {
  let best = Infinity
  RDP_ORDERS.forEach((a, i) => {
    const eps = rdp[i]! + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1)
    if (eps < best) best = eps
  })
  return Math.max(0, best)
}

/**
 * ε after the given releases: each entry is one round's effective noise multiplier σ_eff / C.
 * @example
 * ```ts
 * epsilonOf([1.1, 1.1, 1.1], 1e-5)
 * ```
 */
export function epsilonOf(noiseMultipliers: readonly number[], delta: number): number {
  const total = RDP_ORDERS.map(() => 0)
  for (const z of noiseMultipliers) gaussianRdp(z).forEach((v, i) => (total[i]! += v))
  return rdpToEpsilon(total, delta)
}

/**
 * The smallest noise multiplier z such that `rounds` releases stay within (ε, δ) (bisection).
 * @throws RangeError on non-positive arguments
 */
export function calibrateNoiseMultiplier({ epsilon, delta, rounds }: { epsilon: number; delta: number; rounds: number }): number {
  if (!(epsilon > 0)) throw new RangeError(`"epsilon" expected > 0, got ${epsilon}`)
  if (!(delta > 0 && delta < 1)) throw new RangeError(`"delta" expected in (0, 1), got ${delta}`)
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`"rounds" expected a positive integer, got ${rounds}`)
  let lo = 1e-3
  let hi = 1e4
  for (let i = 0; i < 100; i++) {
    const mid = Math.sqrt(lo * hi)
    if (epsilonOf(new Array(rounds).fill(mid), delta) > epsilon) lo = mid
    else hi = mid
  }
  return hi
}
