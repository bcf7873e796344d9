/**
 * @module inference/approximation
 * Polynomial approximation of non-polynomial activations (ReLU, sigmoid, tanh) for CKKS, in the
 * Chebyshev basis: the interpolant of g at the d + 1 Chebyshev nodes of the first kind on [−1, 1]
 * (near-minimax: within a factor 2 + (2/π)·ln(d + 1) of the best uniform approximation; Trefethen,
 * "Approximation Theory and Approximation Practice", ch. 15–16). Coefficients stay in the
 * Chebyshev basis (|T_i| ≤ 1 on [−1, 1]), so no cancellation between large monomial coefficients.
 *
 * The stated error is an upper bound on [−1, 1]: the largest error on a grid of G points plus
 * (Lip g + Lip p)·h/2 for the gaps between them (h the grid step, Lip p ≤ Σ|c_i|·i² by Markov's
 * inequality for Chebyshev polynomials, |T_i'| ≤ i²).
 */
import type { Activation } from '@krain/models'

/** The activation as a function of one value. */
export function activationFunction(a: Activation): (x: number) => number {
  switch (a) {
    case 'identity':
      return (x) => x
    case 'square':
      return (x) => x * x
    case 'relu':
      return (x) => (x > 0 ? x : 0)
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x))
    case 'tanh':
      return (x) => Math.tanh(x)
  }
}

/** Lipschitz constant of a monotone activation (ReLU 1, sigmoid 1/4, tanh 1). */
export function activationLipschitz(a: 'relu' | 'sigmoid' | 'tanh'): number {
  return a === 'sigmoid' ? 0.25 : 1
}

/** Whether the activation is evaluated by a polynomial approximation under CKKS. */
export function isApproximated(a: Activation): a is 'relu' | 'sigmoid' | 'tanh' {
  return a === 'relu' || a === 'sigmoid' || a === 'tanh'
}

/**
 * Chebyshev coefficients `c` of the degree-`degree` interpolant of `g` on [−1, 1]:
 * p(t) = Σ c_i T_i(t).
 */
export function chebyshevInterpolate(g: (t: number) => number, degree: number): number[] {
  const n = degree + 1
  const values = Array.from({ length: n }, (_, j) => g(Math.cos((Math.PI * (j + 0.5)) / n)))
  const c = new Array<number>(n).fill(0)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += values[j]! * Math.cos((Math.PI * i * (j + 0.5)) / n)
    c[i] = (2 / n) * s
  }
  c[0]! /= 2
  return c
}

/** p(t) = Σ c_i T_i(t) by Clenshaw's recurrence. */
export function chebyshevValue(c: readonly number[], t: number): number {
  let b1 = 0
  let b2 = 0
  for (let i = c.length - 1; i >= 1; i--) {
    const b = 2 * t * b1 - b2 + c[i]!
    b2 = b1
    b1 = b
  }
  return t * b1 - b2 + c[0]!
}

const GRID = 8193

/**
 * An upper bound on max |p − g| over [−1, 1] (see the module notes).
 * @param lipschitz - a Lipschitz constant of g on [−1, 1]
 */
export function chebyshevErrorBound(g: (t: number) => number, c: readonly number[], lipschitz: number): number {
  let worst = 0
  const h = 2 / (GRID - 1)
  for (let k = 0; k < GRID; k++) {
    const t = k === GRID - 1 ? 1 : -1 + k * h
    worst = Math.max(worst, Math.abs(chebyshevValue(c, t) - g(t)))
  }
  let lipP = 0
  for (let i = 1; i < c.length; i++) lipP += Math.abs(c[i]!) * i * i
  return worst + ((lipschitz + lipP) * h) / 2
}

/** Σ |c_i|: a bound on |p| over [−1, 1] and on how p amplifies CKKS noise in the T_i. */
export function coefficientL1(c: readonly number[]): number {
  return c.reduce((a, v) => a + Math.abs(v), 0)
}

/**
 * Levels a degree-`degree` Chebyshev evaluation consumes: ⌈log2 d⌉ for the product tree of the
 * T_i, plus one for the multiplication by the coefficients (0 for degree 0).
 */
export function chebyshevDepth(degree: number): number {
  return degree <= 0 ? 1 : Math.ceil(Math.log2(degree)) + 1
}
