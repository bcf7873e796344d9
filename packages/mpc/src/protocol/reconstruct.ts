/**
 * @module reconstruct
 * Reconstruction of the aggregate from sum-shares, with cheater identification.
 *
 * Fast path: interpolate f(0) from the first t shares and check that every further share lies on
 * the same polynomial, coordinate by coordinate (exact). If one does not, compress every share
 * vector to one field element per prime by random linear combinations (a bad coordinate survives
 * with probability 1 − 2^−31 per combination; two are used) and run Berlekamp–Welch on the m
 * compressed points to find which shares are off; then reconstruct from the rest and check them all
 * again exactly.
 *
 * What can be promised (m shares, threshold t, e' shares found off the polynomial): the released
 * sum is right unless more than m − t − e' holders lied *in concert* (two polynomials of degree
 * < t that both fit all honest shares agree on ≥ t points, so they are equal). Correction is
 * therefore only accepted while e' ≤ ⌊(m − t)/3⌋, which keeps that margin ≥ 2e'; beyond, the
 * decoder's guess could be a different codeword steered by colluding liars, so reconstruction
 * refuses (naming the suspects, without certainty). A lone liar, or liars that do not coordinate
 * their errors, are always detected. With exactly t shares nothing can be checked.
 */
import { MpcCheaterError, MpcError } from '../errors.js'
import { PRIMES, reduce } from '../field/field.js'
import { decodeReedSolomon } from '../field/berlekamp-welch.js'
import { interpolateResidues } from '../field/shamir.js'
import { randomResidues } from '../field/random.js'

/** Parameters of {@link reconstructResidues}. */
export type ReconstructParameters = {
  /** Evaluation point of each share (distinct party indices). */
  points: readonly number[]
  shares: readonly Uint32Array[]
  /** Identities of the share holders (for naming cheaters), aligned with `points`. */
  holders: readonly string[]
  threshold: number
  length: number
}

/** Result of {@link reconstructResidues}. */
export type ReconstructReturnType = {
  secret: Uint32Array
  used: string[]
  cheaters: string[]
  /** True when at least one share beyond t cross-checked the result. */
  verified: boolean
  /** The result is right unless more than this many holders lied in concert (m − t − e'). */
  liarTolerance: number
}

function equalRange(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Indices (into the given lists) of shares not on the polynomial through the first t. */
function offPolynomial(points: readonly number[], shares: readonly Uint32Array[], t: number, L: number): number[] {
  const bad: number[] = []
  const base = points.slice(0, t)
  const baseShares = shares.slice(0, t)
  for (let j = t; j < points.length; j++) if (!equalRange(interpolateResidues(base, baseShares, points[j]!, L), shares[j]!)) bad.push(j)
  return bad
}

/** Σ w_i · v_i mod p over one prime's half of a residue vector. */
function compress(v: Uint32Array, w: Uint32Array, base: number, L: number, p: number): number {
  let acc = 0
  for (let i = 0; i < L; i++) {
    const a = v[base + i]!
    const b = w[i]!
    const bh = Math.floor(b / 65536)
    const hi = a * bh
    acc += (hi - Math.floor(hi / p) * p) * 65536 + a * (b - bh * 65536)
    if ((i & 15) === 15) acc = reduce(acc, p)
  }
  return reduce(acc, p)
}

/**
 * Reconstruct the secret residue vector from m ≥ t shares, naming inconsistent holders.
 * @throws `MPC_TOO_FEW_SHARES` with fewer than t shares; `MpcCheaterError` when the liars cannot
 *   be corrected (too many, or fewer than t consistent shares remain)
 */
export function reconstructResidues({ points, shares, holders, threshold: t, length: L }: ReconstructParameters): ReconstructReturnType {
  const m = points.length
  if (m < t) throw new MpcError('MPC_TOO_FEW_SHARES', { shortMessage: `need ${t} sum-shares, have ${m}` })
  if (offPolynomial(points, shares, t, L).length === 0) {
    return { secret: interpolateResidues(points.slice(0, t), shares.slice(0, t), 0, L), used: [...holders], cheaters: [], verified: m > t, liarTolerance: m - t }
  }
  // identify: Berlekamp–Welch on random compressions, per prime, twice
  const bad = new Set<number>()
  const w = new Uint32Array(L)
  for (let pi = 0; pi < PRIMES.length; pi++) {
    const p = PRIMES[pi]!
    for (let rep = 0; rep < 2; rep++) {
      randomResidues(w, p)
      const ys = shares.map((s) => compress(s, w, pi * L, L, p))
      const dec = decodeReedSolomon(points, ys, t, p)
      if (dec === null) {
        throw new MpcCheaterError({ shortMessage: `too many inconsistent sum-shares to correct (m = ${m}, t = ${t})`, cheaters: [] })
      }
      for (const i of dec.errors) bad.add(i)
    }
  }
  const keep = points.map((_, i) => i).filter((i) => !bad.has(i))
  const cheaters = [...bad].sort((a, b) => a - b).map((i) => holders[i]!)
  if (bad.size > Math.floor((m - t) / 3)) {
    throw new MpcCheaterError({
      shortMessage: `${bad.size} of ${m} sum-shares are inconsistent: too many to correct safely (at most ⌊(m − t)/3⌋ = ${Math.floor((m - t) / 3)}); the suspects are the decoder's best guess, not certain`,
      cheaters,
    })
  }
  if (keep.length < t) throw new MpcCheaterError({ shortMessage: `fewer than t = ${t} consistent sum-shares`, cheaters })
  const kp = keep.map((i) => points[i]!)
  const ks = keep.map((i) => shares[i]!)
  if (offPolynomial(kp, ks, t, L).length > 0) throw new MpcCheaterError({ shortMessage: 'sum-shares inconsistent after correction', cheaters })
  return { secret: interpolateResidues(kp.slice(0, t), ks.slice(0, t), 0, L), used: keep.map((i) => holders[i]!), cheaters, verified: keep.length > t, liarTolerance: m - t - bad.size }
}
