/**
 * @module shamir
 * Vector Shamir sharing over the residue field (Shamir 1979): every element of a vector is the
 * constant term of its own random polynomial of degree t−1, evaluated at the parties' points
 * x = 1..n. Pure functions on typed arrays, so they run unchanged in a worker thread.
 *
 * A residue vector of length L is one `Uint32Array` of length 2L: residues mod P1 then mod P2.
 */
import { PRIMES, invMod, mulMod, reduce } from './field.js'
import { randomResidues } from './random.js'

const EXACT = 2 ** 53

/** Parameters of {@link shareResidues}. */
export type ShareResiduesParameters = {
  /** The secret residue vector (length 2L). */
  secret: Uint32Array
  /** Evaluation points (distinct, 1 ≤ x < 2^20), one per recipient. */
  points: readonly number[]
  /** Reconstruction threshold t (polynomial degree t − 1), t ≥ 1. */
  threshold: number
}

/**
 * Split a residue vector into one share vector per evaluation point.
 * Horner's rule with lazy reduction: `acc·x + c` is only reduced when it could pass 2^53.
 * @returns share vectors, `shares[k]` for `points[k]`
 */
export function shareResidues({ secret, points, threshold }: ShareResiduesParameters): Uint32Array[] {
  const L = secret.length / 2
  const deg = threshold - 1
  const out = points.map(() => new Uint32Array(2 * L))
  if (deg === 0) {
    for (const o of out) o.set(secret)
    return out
  }
  // coeffs[(k−1)·L + i] is the x^k coefficient of element i (k = 1..deg)
  const coeffs = new Uint32Array(deg * L)
  for (let pi = 0; pi < 2; pi++) {
    const p = PRIMES[pi]!
    const base = pi * L
    randomResidues(coeffs, p)
    for (let s = 0; s < points.length; s++) {
      const x = points[s]!
      const dst = out[s]!
      // which Horner steps must reduce first so acc·x + c stays below 2^53 (same for every i)
      const reduceAt = new Uint8Array(deg)
      let bound = p
      for (let k = deg - 1; k >= 0; k--) {
        if (bound * x + p >= EXACT) {
          reduceAt[k] = 1
          bound = p
        }
        bound = bound * x + p
      }
      if (reduceAt.every((f) => f === 0)) {
        // common case (small n and t): no intermediate reduction at all
        for (let i = 0; i < L; i++) {
          let a = coeffs[(deg - 1) * L + i]!
          for (let k = deg - 1; k >= 1; k--) a = a * x + coeffs[(k - 1) * L + i]!
          a = a * x + secret[base + i]!
          dst[base + i] = reduce(a, p)
        }
      } else {
        for (let i = 0; i < L; i++) {
          let a = coeffs[(deg - 1) * L + i]!
          for (let k = deg - 1; k >= 0; k--) {
            if (reduceAt[k]) a = reduce(a, p)
            a = a * x + (k === 0 ? secret[base + i]! : coeffs[(k - 1) * L + i]!)
          }
          dst[base + i] = reduce(a, p)
        }
      }
    }
  }
  return out
}

/**
 * Add residue vectors element-wise (mod each prime). Inputs may hold any uint32 (a residue
 * congruent mod p is fine): sums are accumulated exactly in doubles and reduced once per
 * 2^21 vectors.
 */
export function addResidues(vectors: readonly Uint32Array[], length: number): Uint32Array {
  const acc = new Float64Array(2 * length)
  const n = 2 * length
  let pending = 0
  const flush = (): void => {
    for (let i = 0; i < length; i++) acc[i] = reduce(acc[i]!, PRIMES[0]!)
    for (let i = length; i < n; i++) acc[i] = reduce(acc[i]!, PRIMES[1]!)
    pending = 0
  }
  for (const v of vectors) {
    if (pending === 1 << 21) flush()
    for (let i = 0; i < n; i++) acc[i] += v[i]!
    pending++
  }
  flush()
  const out = new Uint32Array(n)
  out.set(acc)
  return out
}

/**
 * Lagrange coefficients, mod p, for interpolating at `x` from values at `points`.
 * `f(x) = Σ λ_k f(points[k])` for every f of degree < points.length.
 */
export function lagrangeCoefficients(points: readonly number[], x: number, p: number): number[] {
  return points.map((xi, i) => {
    let num = 1
    let den = 1
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue
      const xj = points[j]!
      num = mulMod(num, reduce(x - xj + p, p), p)
      den = mulMod(den, reduce(xi - xj + p, p), p)
    }
    return mulMod(num, invMod(den, p), p)
  })
}

/**
 * Evaluate, at `x`, the polynomial of degree < points.length through the share vectors
 * (`x = 0` reconstructs the secret).
 * @returns the residue vector f(x) (length 2L)
 */
export function interpolateResidues(points: readonly number[], shares: readonly Uint32Array[], x: number, length: number): Uint32Array {
  const out = new Uint32Array(2 * length)
  const acc = new Float64Array(length)
  for (let pi = 0; pi < 2; pi++) {
    const p = PRIMES[pi]!
    const base = pi * length
    const lambdas = lagrangeCoefficients(points, x, p)
    acc.fill(0)
    for (let k = 0; k < points.length; k++) {
      const s = shares[k]!
      // λ·s split as (λh·s mod p)·2^16 + λl·s: every term < 2^48, and ≤ 31 terms are summed
      // between reductions, so the accumulator stays below 2^53
      const lam = lambdas[k]!
      const lh = Math.floor(lam / 65536)
      const ll = lam - lh * 65536
      const flush = (k + 1) % 31 === 0
      for (let i = 0; i < length; i++) {
        const v = s[base + i]!
        const hi = v * lh
        const a = acc[i]! + (hi - Math.floor(hi / p) * p) * 65536 + v * ll
        acc[i] = flush ? reduce(a, p) : a
      }
    }
    for (let i = 0; i < length; i++) out[base + i] = reduce(acc[i]!, p)
  }
  return out
}
