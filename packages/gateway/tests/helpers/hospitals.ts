/**
 * Hospitals for the MPC tests: 5 wallets, each holding a slice of breast_cancer, contributing
 * [Σ features (30), number of rows, number of benign rows] (length 32).
 */
import { loadBreastCancer } from '@krain/datasets'
import type { Hex } from '@krain/mpc'

export const hospitalKeys: Hex[] = Array.from({ length: 5 }, (_, i) => `0x${(0xb0b000n + BigInt(i)).toString(16).padStart(64, '0')}` as Hex)

/** Slices of the data set, one per hospital. */
export function hospitalVectors(n = 5): number[][] {
  const d = loadBreastCancer()
  const per = Math.ceil(d.x.length / n)
  return Array.from({ length: n }, (_, h) => {
    const rows = d.x.slice(h * per, (h + 1) * per)
    const labels = d.y.slice(h * per, (h + 1) * per)
    const v = new Array<number>(32).fill(0)
    rows.forEach((r) => r.forEach((x, j) => (v[j] += x)))
    v[30] = rows.length
    v[31] = labels.reduce((a, b) => a + b, 0)
    return v
  })
}

/** Elementwise sum of some vectors. */
export const sumOf = (vs: number[][]): number[] => vs[0]!.map((_, j) => vs.reduce((a, v) => a + v[j]!, 0))
