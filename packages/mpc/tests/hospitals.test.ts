import { describe, expect, it } from 'vitest'
import { loadBreastCancer } from '@krain/datasets'
import { simulate } from '../src/index.js'
import { runHospitalExample } from '../examples/hospitals.js'
import { identities } from './helpers.js'

const data = loadBreastCancer()
const F = data.featureCount
const plainMeans = Array.from({ length: F }, (_, j) => data.x.reduce((s, r) => s + r[j]!, 0) / data.x.length)

describe('breast_cancer rows split over 5 hospitals', () => {
  it('the README example gives the plaintext per-feature means and class counts (one hospital offline)', () => {
    const r = runHospitalExample()
    expect(r.malignant).toBe(data.y.filter((y) => y === 0).length)
    expect(r.benign).toBe(data.y.filter((y) => y === 1).length)
    expect(r.malignant + r.benign).toBe(569)
    r.means.forEach((m, j) => expect(m).toBeCloseTo(plainMeans[j]!, 6))
    expect(r.cheaters).toEqual([])
  })

  it('per-row sharing (every row its own vector slot) gives the same means, with a dropout after upload', () => {
    // contiguous blocks of rows per hospital, sums of squares too (for the variance)
    const { coordinatorKey, keys, addresses } = identities(5, 2000)
    const blocks = keys.map((_, h) => data.x.map((row, i) => ({ row, y: data.y[i]! })).filter((_, i) => Math.floor((i * 5) / data.x.length) === h))
    const vec = (b: typeof blocks[number]): number[] => {
      const v = new Array<number>(2 * F + 2).fill(0)
      for (const { row, y } of b) {
        row.forEach((x, j) => ((v[j] += x), (v[F + j] += x * x)))
        v[2 * F + y] += 1
      }
      return v
    }
    const run = simulate({
      parties: keys.map((k, h) => ({ identityKey: k, values: vec(blocks[h]!) })),
      coordinatorKey,
      threshold: 3,
      length: 2 * F + 2,
      scale: 2 ** 12,
      bound: 2e8,
      dropouts: { [addresses[1]!]: 'sum' },
    })
    const v = run.result!.values
    const n = v[2 * F]! + v[2 * F + 1]!
    expect(n).toBe(569)
    for (let j = 0; j < F; j++) {
      expect(v[j]! / n).toBeCloseTo(plainMeans[j]!, 5)
      const plainVar = data.x.reduce((s, r) => s + (r[j]! - plainMeans[j]!) ** 2, 0) / n
      expect(v[F + j]! / n - (v[j]! / n) ** 2).toBeCloseTo(plainVar, 2)
    }
    expect(run.result!.contributors).toEqual(addresses)
  })
})
