import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { P1, P2, MODULUS, MAX_ABS_AGGREGATE, mulMod, crtSigned, shareResidues, addResidues, interpolateResidues, encodeVector, decodeVector, decodeReedSolomon } from '../src/index.js'

const isPrime = (n: bigint): boolean => {
  // Miller–Rabin with the first 12 prime bases: deterministic below 3.3·10^24
  let d = n - 1n
  let s = 0
  while (d % 2n === 0n) (d /= 2n), s++
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n
    b %= n
    for (; e > 0n; e >>= 1n, b = (b * b) % n) if (e & 1n) r = (r * b) % n
    return r
  }
  for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    let x = pow(a, d)
    if (x === 1n || x === n - 1n) continue
    let ok = false
    for (let i = 1; i < s && !ok; i++) ok = (x = (x * x) % n) === n - 1n
    if (!ok) return false
  }
  return true
}

describe('field', () => {
  it('uses two primes whose product gives a signed range beyond 2^60', () => {
    expect(isPrime(BigInt(P1)) && isPrime(BigInt(P2))).toBe(true)
    expect(MODULUS).toBe(BigInt(P1) * BigInt(P2))
    expect(MAX_ABS_AGGREGATE > 2n ** 60n).toBe(true)
  })

  it('mulMod is exact (against BigInt) including the extremes', () => {
    for (const p of [P1, P2]) {
      expect(mulMod(p - 1, p - 1, p)).toBe(Number((BigInt(p - 1) * BigInt(p - 1)) % BigInt(p)))
      fc.assert(
        fc.property(fc.integer({ min: 0, max: p - 1 }), fc.integer({ min: 0, max: p - 1 }), (a, b) => mulMod(a, b, p) === Number((BigInt(a) * BigInt(b)) % BigInt(p))),
        { numRuns: 2000 },
      )
    }
  })

  it('CRT recombination is the inverse of taking residues over the whole signed range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_ABS_AGGREGATE, max: MAX_ABS_AGGREGATE }), (x) => {
        const r = (p: number): number => Number(((x % BigInt(p)) + BigInt(p)) % BigInt(p))
        return crtSigned(r(P1), r(P2)) === x
      }),
      { numRuns: 2000 },
    )
    expect(crtSigned(Number(MAX_ABS_AGGREGATE % BigInt(P1)), Number(MAX_ABS_AGGREGATE % BigInt(P2)))).toBe(MAX_ABS_AGGREGATE)
  })
})

describe('shareResidues', () => {
  it('any t of n shares reconstruct the secret; shares add to shares of the sum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n }), fc.integer({ min: 1, max: 40 }), fc.integer())),
        ([n, t, L, seed]) => {
          const a = Array.from({ length: L }, (_, i) => ((seed * (i + 1)) % 1000) / 8)
          const b = Array.from({ length: L }, (_, i) => -((seed * (i + 7)) % 777) / 8)
          const points = Array.from({ length: n }, (_, i) => i + 1)
          const sa = shareResidues({ secret: encodeVector({ values: a, scale: 8, bound: 1000 }), points, threshold: t })
          const sb = shareResidues({ secret: encodeVector({ values: b, scale: 8, bound: 1000 }), points, threshold: t })
          const sums = sa.map((s, k) => addResidues([s, sb[k]!], L))
          // a random t-subset
          const pick = points.map((x) => x).sort((x, y) => ((x * 7919 + seed) % 97) - ((y * 7919 + seed) % 97)).slice(0, t)
          const rec = interpolateResidues(pick, pick.map((x) => sums[x - 1]!), 0, L)
          const { values } = decodeVector(rec, L, 8)
          return values.every((v, i) => v === a[i]! + b[i]!)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('is exact for large n and t, where Horner needs intermediate reductions', () => {
    const L = 50
    const secret = encodeVector({ values: Array.from({ length: L }, (_, i) => i * 1e6 - 2.5e7), scale: 1, bound: 1e9 })
    const points = Array.from({ length: 300 }, (_, i) => i + 1)
    const shares = shareResidues({ secret, points, threshold: 200 })
    const pick = points.slice(100)
    expect(interpolateResidues(pick, pick.map((x) => shares[x - 1]!), 0, L)).toEqual(secret)
    // and t − 1 = 199 shares do not determine it
    const short = pick.slice(0, 199)
    expect(interpolateResidues(short, short.map((x) => shares[x - 1]!), 0, L)).not.toEqual(secret)
  })
})

describe('vector arithmetic at the extremes', () => {
  const big = (v: Uint32Array, i: number): bigint => BigInt(v[i]!)

  it('addResidues and interpolateResidues match BigInt arithmetic on the largest inputs', () => {
    const L = 64
    // any uint32 is accepted by addResidues: use the largest, and residues p − 1
    const vectors = Array.from({ length: 37 }, (_, j) => Uint32Array.from({ length: 2 * L }, (_, i) => (j % 2 ? 0xffffffff - i : (i < L ? P1 : P2) - 1)))
    const sum = addResidues(vectors, L)
    for (let i = 0; i < 2 * L; i++) {
      const p = BigInt(i < L ? P1 : P2)
      expect(big(sum, i)).toBe(vectors.reduce((acc, v) => acc + big(v, i), 0n) % p)
    }
    // 40 shares of residues near p at points with large Lagrange coefficients
    const points = Array.from({ length: 40 }, (_, k) => 3 * k + 5)
    const shares = points.map((_, k) => Uint32Array.from({ length: 2 * L }, (_, i) => (i < L ? P1 : P2) - 1 - ((k * 31 + i) % 5)))
    const at = interpolateResidues(points, shares, 0, L)
    const lagrange = (p: bigint, k: number): bigint => {
      const inv = (a: bigint): bigint => {
        let r = 1n
        let b = ((a % p) + p) % p
        for (let e = p - 2n; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p
        return r
      }
      let num = 1n
      let den = 1n
      points.forEach((xj, j) => {
        if (j !== k) (num = (num * BigInt(-xj)) % p), (den = (den * BigInt(points[k]! - xj)) % p)
      })
      return (((num * inv(den)) % p) + p) % p
    }
    for (const i of [0, 1, L - 1, L, 2 * L - 1]) {
      const p = BigInt(i < L ? P1 : P2)
      expect(big(at, i)).toBe(shares.reduce((acc, s, k) => (acc + lagrange(p, k) * big(s, i)) % p, 0n))
    }
  })

  it('encodeVector gives the residues of round(v·scale) on both sides of the primes', () => {
    const values = [0, -0, 1.5, -1.5, (P2 - 1) / 4, -(P2 - 1) / 4, P2 / 4 + 8, -P2 / 4 - 8, 2 ** 40, -(2 ** 40)]
    const enc = encodeVector({ values, scale: 4, bound: 2 ** 40 })
    values.forEach((v, i) => {
      const z = BigInt(Math.round(v * 4))
      expect(BigInt(enc[i]!)).toBe(((z % BigInt(P1)) + BigInt(P1)) % BigInt(P1))
      expect(BigInt(enc[values.length + i]!)).toBe(((z % BigInt(P2)) + BigInt(P2)) % BigInt(P2))
    })
  })
})

describe('decodeReedSolomon', () => {
  it('finds the wrong points when at most ⌊(m − k)/2⌋ are wrong, and gives up beyond', () => {
    const p = P1
    const poly = [12345, 678, 9]
    const ev = (x: number): number => poly.reduceRight((acc, c) => (mulMod(acc, x, p) + c) % p, 0)
    const xs = [1, 2, 3, 4, 5, 6, 7]
    const ys = xs.map(ev)
    ys[1] = (ys[1]! + 1) % p
    ys[5] = (ys[5]! + 99) % p
    const dec = decodeReedSolomon(xs, ys, 3, p)
    expect(dec?.errors).toEqual([1, 5])
    expect(dec?.coefficients).toEqual(poly)
    ys[3] = (ys[3]! + 5) % p
    expect(decodeReedSolomon(xs, ys, 3, p)).toBeNull()
  })
})
