/**
 * @module check/approximations
 * Polynomial approximations of sigmoid, tanh, sqrt, 1/x and the smooth step used for comparisons,
 * over a declared range [lo, hi]: the argument is first mapped to u ∈ [−1, 1] (one plaintext
 * multiplication), then a degree-d Chebyshev interpolant (Trefethen, ATAP ch. 4) is evaluated in
 * the power basis of u. Its worst error is measured on a dense grid and stated in the plan.
 */
import type { Range } from '../syntax/ast.js'

/** A planned approximation. */
export type Approximation = {
  fn: string
  range: Range
  degree: number
  /** u = alpha·x + beta maps the range onto [−1, 1]. */
  alpha: number
  beta: number
  /** Power-basis coefficients in u. */
  coefficients: number[]
  /** Worst |p(u(x)) − g(x)| over the range (grid maximum plus a Lipschitz margin). */
  maxError: number
  /** Lipschitz constant of p in x over the range (sup |p'|). */
  lipschitz: number
  /** For comparisons: for |a − b| ≥ band the result is within 0.05 of the exact step. */
  band?: number
  /**
   * Coefficients in x itself (c_k·α^k) when the range is symmetric (β = 0) and small enough that
   * the powers of x stay well inside the scale's headroom: the affine map then costs no level.
   */
  folded?: number[]
}

/** Largest |x|^degree for which an approximation is evaluated directly in x (kept below q0's headroom). */
export const FOLD_MAX_POWER = 2 ** 16

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/** Default polynomial degree of each approximated function. */
export const DEFAULT_DEGREE = 7
/** Largest accepted degree. */
export const MAX_DEGREE = 31

/** Sharpness of the smooth step `sigmoid(k·t)` of a comparison of degree d over width w. */
export function stepSharpness(range: Range, degree: number): number {
  return (1.5 * degree) / (range[1] - range[0])
}

/** The exact function an approximation stands for (the interpreter evaluates this). */
export function targetFunction(fn: string, range: Range, degree: number): (x: number) => number {
  switch (fn) {
    case 'sigmoid':
      return sigmoid
    case 'tanh':
      return Math.tanh
    case 'sqrt':
      return Math.sqrt
    case 'inverse':
      return (x) => 1 / x
    default: {
      const k = stepSharpness(range, degree)
      return (t) => sigmoid(k * t)
    }
  }
}

function chebyshevCoefficients(g: (u: number) => number, degree: number): number[] {
  const n = degree + 1
  const values = Array.from({ length: n }, (_, j) => g(Math.cos((Math.PI * (j + 0.5)) / n)))
  return Array.from({ length: n }, (_, i) => {
    let s = 0
    for (let j = 0; j < n; j++) s += values[j]! * Math.cos((Math.PI * i * (j + 0.5)) / n)
    return ((i === 0 ? 1 : 2) * s) / n
  })
}

function toPowerBasis(cheb: number[]): number[] {
  const out = new Array<number>(cheb.length).fill(0)
  let prev = [1]
  let cur = [0, 1]
  out[0]! += cheb[0]!
  if (cheb.length > 1) out[1]! += cheb[1]!
  for (let i = 2; i < cheb.length; i++) {
    const next = new Array<number>(i + 1).fill(0)
    for (let k = 0; k < cur.length; k++) next[k + 1]! += 2 * cur[k]!
    for (let k = 0; k < prev.length; k++) next[k]! -= prev[k]!
    for (let k = 0; k <= i; k++) out[k]! += cheb[i]! * next[k]!
    prev = cur
    cur = next
  }
  return out
}

/** Horner evaluation of power-basis coefficients. */
export function horner(c: readonly number[], u: number): number {
  let s = 0
  for (let i = c.length - 1; i >= 0; i--) s = s * u + c[i]!
  return s
}

const GRID = 4001

/** Plan the approximation of `fn` over `range` with `degree`. */
export function planApproximation(fn: string, range: Range, degree: number): Approximation {
  const [lo, hi] = range
  const g = targetFunction(fn, range, degree)
  const alpha = 2 / (hi - lo)
  const beta = -(hi + lo) / (hi - lo)
  const coefficients = toPowerBasis(chebyshevCoefficients((u) => g((u - beta) / alpha), degree))
  // drop terms too small to encode (an all-zero plaintext product is refused by SEAL)
  const l1 = coefficients.reduce((acc, c) => acc + Math.abs(c), 0)
  for (let i = 0; i < coefficients.length; i++) if (Math.abs(coefficients[i]!) < 1e-12 * l1) coefficients[i] = 0
  let worst = 0
  let lipschitz = 0
  let prev = horner(coefficients, -1)
  const h = (hi - lo) / (GRID - 1)
  let gLip = 0
  let prevG = g(lo)
  for (let k = 0; k < GRID; k++) {
    const x = k === GRID - 1 ? hi : lo + k * h
    const p = horner(coefficients, alpha * x + beta)
    const gx = g(x)
    worst = Math.max(worst, Math.abs(p - gx))
    if (k > 0) {
      lipschitz = Math.max(lipschitz, Math.abs(p - prev) / h)
      gLip = Math.max(gLip, Math.abs(gx - prevG) / h)
    }
    prev = p
    prevG = gx
  }
  const maxError = worst + (lipschitz + gLip) * h
  const a: Approximation = { fn, range, degree, alpha, beta, coefficients, maxError, lipschitz: lipschitz * 1.01 + 1e-12 }
  if (fn === 'step') {
    // smallest band b such that |p(t) − [t > 0]| ≤ 0.05 whenever |t| ≥ b
    let band = 0
    for (let k = 0; k < GRID; k++) {
      const x = lo + k * h
      const p = horner(coefficients, alpha * x + beta)
      if (Math.abs(p - (x > 0 ? 1 : 0)) > 0.05) band = Math.max(band, Math.abs(x) + h)
    }
    a.band = band
  }
  return a
}

/** Multiplicative depth of the affine map plus a power-basis evaluation of `degree` (CkksVector.polyval). */
export function approximationDepth(a: Pick<Approximation, 'alpha' | 'beta' | 'degree'>): number {
  const affine = a.alpha === 1 ? 0 : 1
  return affine + polyvalDepth(a.degree)
}

/** Levels `CkksVector.polyval` consumes for a degree-d polynomial. */
export function polyvalDepth(d: number): number {
  return d <= 1 ? 1 : Math.ceil(Math.log2(d)) + 1
}
