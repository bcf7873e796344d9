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
/** Below this, `a − ⌊a·(1/p)⌋·p` is exact even when the estimated quotient is one too high. */
const FAST = 2 ** 52

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
  // deg·L independent uniform coefficients; which one plays which role is immaterial, so the
  // fast path reads them element-major (coeffs[i·deg + k−1] is the x^k coefficient of element i)
  const coeffs = new Uint32Array(deg * L)
  const xMax = Math.max(...points)
  for (let pi = 0; pi < 2; pi++) {
    const p = PRIMES[pi]!
    const base = pi * L
    randomResidues(coeffs, p)
    let bound = p
    for (let k = 0; k < deg; k++) bound = bound * xMax + p
    if (bound < FAST) shareFast(secret, coeffs, points, out, deg, base, L, p)
    else shareLazy(secret, coeffs, points, out, deg, base, L, p)
  }
  return out
}

/**
 * Common case (small n and t): Horner without any intermediate reduction (every value < 2^52),
 * all points of one element at a time so each coefficient is read once. `a mod p` uses a
 * multiplication by 1/p: the quotient is off by at most one, and every product stays < 2^53.
 */
function shareFast(secret: Uint32Array, coeffs: Uint32Array, points: readonly number[], out: Uint32Array[], deg: number, base: number, L: number, p: number): void {
  const n = points.length
  const xs = Float64Array.from(points)
  const inv = 1 / p
  if (deg <= 8) return shareUnrolled(secret, coeffs, xs, out, deg, base, L, p)
  const c = new Float64Array(deg)
  for (let i = 0; i < L; i++) {
    const o = i * deg
    for (let k = 0; k < deg; k++) c[k] = coeffs[o + k]!
    const s0 = secret[base + i]!
    for (let s = 0; s < n; s++) {
      const x = xs[s]!
      let a = c[deg - 1]!
      for (let k = deg - 2; k >= 0; k--) a = a * x + c[k]!
      a = a * x + s0
      const r = a - Math.floor(a * inv) * p
      out[s]![base + i] = r < 0 ? r + p : r >= p ? r - p : r
    }
  }
}

/**
 * {@link shareFast} for degree ≤ 8 (t ≤ 9), the usual sessions: the coefficients in locals and
 * Horner written out (the `switch` takes the same branch every time), about twice as fast.
 */
function shareUnrolled(secret: Uint32Array, coeffs: Uint32Array, xs: Float64Array, out: Uint32Array[], d: number, base: number, L: number, p: number): void {
  const n = xs.length
  const inv = 1 / p
  for (let i = 0; i < L; i++) {
    const o = i * d
    const c0 = coeffs[o]!
    const c1 = d > 1 ? coeffs[o + 1]! : 0
    const c2 = d > 2 ? coeffs[o + 2]! : 0
    const c3 = d > 3 ? coeffs[o + 3]! : 0
    const c4 = d > 4 ? coeffs[o + 4]! : 0
    const c5 = d > 5 ? coeffs[o + 5]! : 0
    const c6 = d > 6 ? coeffs[o + 6]! : 0
    const c7 = d > 7 ? coeffs[o + 7]! : 0
    const s0 = secret[base + i]!
    for (let s = 0; s < n; s++) {
      const x = xs[s]!
      let a: number
      switch (d) {
        case 1:
          a = c0
          break
        case 2:
          a = c1 * x + c0
          break
        case 3:
          a = (c2 * x + c1) * x + c0
          break
        case 4:
          a = ((c3 * x + c2) * x + c1) * x + c0
          break
        case 5:
          a = (((c4 * x + c3) * x + c2) * x + c1) * x + c0
          break
        case 6:
          a = ((((c5 * x + c4) * x + c3) * x + c2) * x + c1) * x + c0
          break
        case 7:
          a = (((((c6 * x + c5) * x + c4) * x + c3) * x + c2) * x + c1) * x + c0
          break
        default:
          a = ((((((c7 * x + c6) * x + c5) * x + c4) * x + c3) * x + c2) * x + c1) * x + c0
      }
      a = a * x + s0
      const r = a - Math.floor(a * inv) * p
      out[s]![base + i] = r < 0 ? r + p : r >= p ? r - p : r
    }
  }
}

/** General case: reduce before a Horner step whenever `acc·x + c` could pass 2^53. */
function shareLazy(secret: Uint32Array, coeffs: Uint32Array, points: readonly number[], out: Uint32Array[], deg: number, base: number, L: number, p: number): void {
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
    for (let i = 0; i < L; i++) {
      const o = i * deg
      let a = coeffs[o + deg - 1]!
      for (let k = deg - 1; k >= 0; k--) {
        if (reduceAt[k]) a = reduce(a, p)
        a = a * x + (k === 0 ? secret[base + i]! : coeffs[o + k - 1]!)
      }
      dst[base + i] = reduce(a, p)
    }
  }
}

/**
 * Add residue vectors element-wise (mod each prime). Inputs may hold any uint32 (a residue
 * congruent mod p is fine): each element is summed exactly in a double over all vectors (up to
 * 2^20 at a time) and reduced once.
 */
export function addResidues(vectors: readonly Uint32Array[], length: number): Uint32Array {
  const n = 2 * length
  const out = new Uint32Array(n)
  // groups of up to 2^20 vectors: a running residue plus 2^20 uint32s stays below 2^52 + 2^31,
  // where the reduction by multiplication with 1/p is exact
  const GROUP = 1 << 20
  for (let g = 0; g < Math.max(1, vectors.length); g += GROUP) {
    const vs = vectors.slice(g, g + GROUP)
    const m = vs.length
    for (let half = 0; half < 2; half++) {
      const p = PRIMES[half]!
      const inv = 1 / p
      for (let i = half * length, end = i + length; i < end; i++) {
        let a = out[i]!
        for (let j = 0; j < m; j++) a += vs[j]![i]!
        const r = a - Math.floor(a * inv) * p
        out[i] = r < 0 ? r + p : r >= p ? r - p : r
      }
    }
  }
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
    const inv = 1 / p
    const base = pi * length
    const lambdas = lagrangeCoefficients(points, x, p)
    acc.fill(0)
    for (let k = 0; k < points.length; k++) {
      const s = shares[k]!
      // λ·s split as (λh·s mod' p)·2^16 + λl·s, where mod' (a multiplication by 1/p, exact below
      // 2^52) leaves a value in (−p, 2p): every term has magnitude < 2^48.6, and ≤ 15 terms are
      // summed between (exact) reductions, so the accumulator stays below 2^53 in magnitude
      const lam = lambdas[k]!
      const lh = Math.floor(lam / 65536)
      const ll = lam - lh * 65536
      const flush = (k + 1) % 15 === 0
      for (let i = 0; i < length; i++) {
        const v = s[base + i]!
        const hi = v * lh
        const a = acc[i]! + (hi - Math.floor(hi * inv) * p) * 65536 + v * ll
        acc[i] = flush ? reduce(a, p) : a
      }
    }
    for (let i = 0; i < length; i++) out[base + i] = reduce(acc[i]!, p)
  }
  return out
}
