import { bytesToHex } from 'viem/utils'
import type { Hex } from '@krain/mpc'
import { accuracy, type NetworkModel } from '@krain/models'
import { Hospital } from '../src/index.js'

export const key = (i: number): Hex => bytesToHex(Uint8Array.from({ length: 32 }, (_, k) => (k === 0 ? 1 : (i * 31 + k * 7) & 0xff)))

/** Split rows over `n` hospitals: IID (round robin of a shuffle) or label-skewed (sorted by label, uneven). */
export function split(x: number[][], y: number[], n: number, mode: 'iid' | 'skew', offset = 100): Hospital[] {
  const idx = x.map((_, i) => i)
  if (mode === 'skew') idx.sort((a, b) => y[a]! - y[b]! || a - b)
  const parts: number[][] = Array.from({ length: n }, () => [])
  if (mode === 'iid') idx.forEach((i, k) => parts[k % n]!.push(i))
  else {
    // contiguous chunks of the label-sorted rows: most hospitals see one class, one sees both
    const size = Math.ceil(idx.length / n)
    idx.forEach((i, k) => parts[Math.min(n - 1, Math.floor(k / size))]!.push(i))
  }
  return parts.map((p, h) => new Hospital({ identityKey: key(offset + h), x: p.map((i) => x[i]!), y: p.map((i) => y[i]!) }))
}

export function acc(model: NetworkModel, x: number[][], y: number[]): number {
  return accuracy(model, x, y)
}

/** An initial network: given sizes, hidden activation, zero or seeded-random weights. */
export function initNetwork(sizes: number[], hidden: 'relu' | 'square' | 'identity', head: 'sign' | 'argmax', seed = 1): NetworkModel {
  let a = seed
  const r = (): number => {
    a = (a * 1103515245 + 12345) & 0x7fffffff
    return a / 0x7fffffff - 0.5
  }
  const layers = sizes.slice(1).map((out, l) => ({
    weights: Array.from({ length: out }, () => Array.from({ length: sizes[l]! }, () => (sizes.length > 2 ? (2 * r()) / Math.sqrt(sizes[l]!) : 0))),
    bias: new Array<number>(out).fill(0),
    activation: (l < sizes.length - 2 ? hidden : 'identity') as 'relu',
  }))
  return { kind: 'network', layers, head }
}
