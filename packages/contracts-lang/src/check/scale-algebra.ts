/**
 * @module check/scale-algebra
 * Exact level and scale accounting for CKKS programs run through `@krain/he`. Every ciphertext's
 * scale is a monomial `Δ^a · Π Q_k^e_k`, where Δ is the encoding scale and `Q_k` the prime dropped
 * by the k-th rescale (k = depth before the rescale). Plaintext products keep the scale (or land on
 * a chosen target), ciphertext products at depth k multiply the scales and divide by `Q_k`, and two
 * operands add without spending a level exactly when their monomials are equal. Comparing
 * monomials instead of floating-point scales lets the checker predict the depth the runtime uses
 * before any parameters exist; the runtime turns a monomial into a number with the context's primes.
 */

/** A scale monomial: exponent per symbol (`s` = Δ, `q<k>` = the k-th rescale prime, `u<n>` = unknown). */
export type Scale = Readonly<Record<string, number>>

/** The scale of a fresh encryption (and of a polynomial evaluation's result). */
export const BASE_SCALE: Scale = { s: 1 }

let unknownId = 0

/** A scale that equals no other (the result of a data-dependent choice). */
export function unknownScale(): Scale {
  return { [`u${unknownId++}`]: 1 }
}

/** Canonical text of a monomial (equal scales have equal keys). */
export function scaleKey(a: Scale): string {
  return Object.keys(a)
    .filter((k) => a[k] !== 0)
    .sort()
    .map((k) => `${k}^${a[k]}`)
    .join('·')
}

/** Whether two monomials are equal. */
export function sameScale(a: Scale, b: Scale): boolean {
  return scaleKey(a) === scaleKey(b)
}

/** The scale of a ciphertext product at depth `k` (relinearised, then rescaled by `Q_k`). */
export function productScale(a: Scale, b: Scale, k: number): Scale {
  const out: Record<string, number> = { ...a }
  for (const [key, e] of Object.entries(b)) out[key] = (out[key] ?? 0) + e
  out[`q${k}`] = (out[`q${k}`] ?? 0) - 1
  for (const key of Object.keys(out)) if (out[key] === 0) delete out[key]
  return out
}

/**
 * The numeric value of a monomial under a context (Δ = 2^scaleBits, `Q_k` = primes[topLevel − k]).
 * @returns the scale, or undefined for an unknown monomial
 */
export function scaleValue(a: Scale, ctx: { scale: number; primes: readonly number[]; topLevel: number }): number | undefined {
  let v = 1
  for (const [key, e] of Object.entries(a)) {
    if (key === 's') v *= ctx.scale ** e
    else if (key.startsWith('q')) {
      const p = ctx.primes[ctx.topLevel - Number(key.slice(1))]
      if (p === undefined) return undefined
      v *= p ** e
    } else return undefined
  }
  return v
}

/** Depth of x^i in `CkksVector.polyval`'s power tree (squares for powers of two, else x^hi · x^lo). */
export function powerDepth(i: number): number {
  if (i <= 1) return 0
  const hi = 2 ** Math.floor(Math.log2(i))
  return hi === i ? powerDepth(i / 2) + 1 : Math.max(powerDepth(hi), powerDepth(i - hi)) + 1
}

/**
 * Levels `CkksVector.polyval(coefficients)` consumes, exactly: trailing zeros are dropped, each
 * term c·x^i costs the depth of (c·x^lo)·x^hi, and the result sits at the deepest term's level.
 */
export function polyvalLevels(coefficients: readonly number[]): number {
  let d = coefficients.length - 1
  while (d > 0 && coefficients[d] === 0) d--
  if (d === 0) return 1
  let depth = 0
  for (let i = 1; i <= d; i++) {
    if (coefficients[i] === 0) continue
    if (i === 1) {
      depth = Math.max(depth, 1)
      continue
    }
    const p2 = 2 ** Math.floor(Math.log2(i))
    const hi = p2 === i ? i / 2 : p2
    const lo = i - hi
    depth = Math.max(depth, Math.max(powerDepth(lo) + 1, powerDepth(hi)) + 1)
  }
  return depth
}

/** Whether `polyval` returns at the base scale (false only for a constant polynomial: 0·x + c keeps x's scale). */
export function polyvalRescales(coefficients: readonly number[]): boolean {
  let d = coefficients.length - 1
  while (d > 0 && coefficients[d] === 0) d--
  return d > 0
}
