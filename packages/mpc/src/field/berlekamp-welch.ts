/**
 * @module berlekamp-welch
 * Berlekamp–Welch decoding of a Reed–Solomon code over a prime field (Welch & Berlekamp 1986):
 * given m points of which at most e = ⌊(m − k)/2⌋ are wrong, find the polynomial of degree < k
 * through the others and say which points are wrong. Used to name the party whose sum-share lies
 * off the polynomial the others agree on. m is the number of parties, so O(m³) is fine.
 */
import { invMod, mulMod, reduce } from './field.js'

/** Result of {@link decodeReedSolomon}: the message polynomial and the indices of bad points. */
export type RsDecoding = { coefficients: number[]; errors: number[] }

function evalPoly(c: readonly number[], x: number, p: number): number {
  let acc = 0
  for (let k = c.length - 1; k >= 0; k--) acc = reduce(mulMod(acc, x, p) + c[k]!, p)
  return acc
}

/** Solve A·z = b mod p (A: rows × cols); one solution with free variables 0, or null. */
function solve(A: number[][], b: number[], cols: number, p: number): number[] | null {
  const rows = A.length
  const M = A.map((r, i) => [...r, b[i]!])
  const pivotCol: number[] = []
  let r = 0
  for (let c = 0; c < cols && r < rows; c++) {
    let piv = -1
    for (let i = r; i < rows; i++) if (M[i]![c] !== 0) { piv = i; break }
    if (piv < 0) continue
    ;[M[r], M[piv]] = [M[piv]!, M[r]!]
    const inv = invMod(M[r]![c]!, p)
    for (let k = c; k <= cols; k++) M[r]![k] = mulMod(M[r]![k]!, inv, p)
    for (let i = 0; i < rows; i++) {
      if (i === r || M[i]![c] === 0) continue
      const f = M[i]![c]!
      for (let k = c; k <= cols; k++) M[i]![k] = reduce(M[i]![k]! - mulMod(f, M[r]![k]!, p) + p, p)
    }
    pivotCol.push(c)
    r++
  }
  for (let i = r; i < rows; i++) if (M[i]![cols] !== 0) return null
  const z = new Array<number>(cols).fill(0)
  pivotCol.forEach((c, i) => (z[c] = M[i]![cols]!))
  return z
}

/**
 * Decode points `(xs[i], ys[i])` mod p to the polynomial of degree < k agreeing with all but at
 * most ⌊(m − k)/2⌋ of them.
 * @returns the polynomial and the indices of the disagreeing points, or null if more points are
 *   wrong than can be corrected
 */
export function decodeReedSolomon(xs: readonly number[], ys: readonly number[], k: number, p: number): RsDecoding | null {
  const m = xs.length
  const e = Math.floor((m - k) / 2)
  const nq = k + e
  const A: number[][] = []
  const b: number[] = []
  for (let i = 0; i < m; i++) {
    const x = xs[i]!
    const y = ys[i]!
    const row = new Array<number>(nq + e)
    let pw = 1
    for (let j = 0; j < nq; j++) {
      row[j] = pw
      if (j < e) row[nq + j] = reduce(p - mulMod(y, pw, p), p)
      pw = mulMod(pw, x, p)
    }
    A.push(row)
    // y·x^e
    let xe = 1
    for (let j = 0; j < e; j++) xe = mulMod(xe, x, p)
    b.push(mulMod(y, xe, p))
  }
  const z = solve(A, b, nq + e, p)
  if (z === null) return null
  const Q = z.slice(0, nq)
  const E = [...z.slice(nq), 1] // monic, degree e
  // long division Q / E
  const rem = [...Q]
  const quot = new Array<number>(Math.max(1, nq - e)).fill(0)
  for (let d = nq - 1; d >= e; d--) {
    const c = rem[d]!
    if (c === 0) continue
    quot[d - e] = c
    for (let j = 0; j <= e; j++) rem[d - e + j] = reduce(rem[d - e + j]! - mulMod(c, E[j]!, p) + p, p)
  }
  if (rem.some((c) => c !== 0)) return null
  const coefficients = quot.slice(0, k)
  if (quot.slice(k).some((c) => c !== 0)) return null
  const errors: number[] = []
  for (let i = 0; i < m; i++) if (evalPoly(coefficients, xs[i]!, p) !== ys[i]) errors.push(i)
  return errors.length <= e ? { coefficients, errors } : null
}
