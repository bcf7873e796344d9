/**
 * @module datasets
 * Loaders for the real data sets shipped in `data/` (copied from the project's shared data; see
 * `data/README.md` for sources and licences: UCI Breast Cancer Wisconsin (Diagnostic) and UCI
 * Optical Recognition of Handwritten Digits, both CC BY 4.0), plus a deterministic split and
 * standardisation so every package trains and tests on the same rows.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aFiniteNumber, aNonNegativeInt, anArray, anObject, rangeError, typeError } from '@krain/core'

/** A labelled data set: `x[i]` is a row of features, `y[i]` its integer label. */
export type Dataset = {
  name: string
  x: number[][]
  y: number[]
  featureCount: number
  classCount: number
}

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data')

function parseRows(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number))
}

/** 569 rows × 30 features; label 0 = malignant, 1 = benign. */
export function loadBreastCancer(): Dataset {
  const [header, ...rows] = readFileSync(join(dataDir, 'breast_cancer.csv'), 'utf8').trim().split('\n')
  const featureCount = Number(header!.split(',')[1])
  const parsed = parseRows(rows.join('\n'))
  return { name: 'breast_cancer', x: parsed.map((r) => r.slice(0, featureCount)), y: parsed.map((r) => r[featureCount]!), featureCount, classCount: 2 }
}

/** 1797 rows × 64 pixels (0..16); label = digit 0..9. */
export function loadDigits(): Dataset {
  const parsed = parseRows(readFileSync(join(dataDir, 'digits.csv'), 'utf8'))
  return { name: 'digits', x: parsed.map((r) => r.slice(0, 64)), y: parsed.map((r) => r[64]!), featureCount: 64, classCount: 10 }
}

/**
 * A deterministic shuffle (xorshift32 seeded) of `0..n-1`.
 * @throws TypeError / RangeError when `n` is not an integer ≥ 0 or `seed` not a safe integer
 */
export function permutation(n: number, seed = 1): number[] {
  aNonNegativeInt(n, 'n')
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) typeError('seed', 'a safe integer', seed)
  const idx = Array.from({ length: n }, (_, i) => i)
  let s = seed >>> 0 || 1
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    const j = s % (i + 1)
    ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
  }
  return idx
}

/**
 * Split a data set into train and test parts (deterministic for a given seed).
 * @throws TypeError / RangeError when `d` has no rows or unequal `x` and `y`, or `testFraction` is not in (0, 1)
 */
export function trainTestSplit(d: Dataset, testFraction = 0.2, seed = 1): { train: Dataset; test: Dataset } {
  const { x, y } = anObject(d, 'd')
  const n = anArray(x, 'd.x', 1).length
  if (anArray(y, 'd.y').length !== n) rangeError('d.y', `${n} labels (one per row of "d.x")`, y)
  if (aFiniteNumber(testFraction, 'testFraction') <= 0 || testFraction >= 1) rangeError('testFraction', 'a fraction in (0, 1)', testFraction)
  const perm = permutation(d.x.length, seed)
  const nTest = Math.round(d.x.length * testFraction)
  const pick = (ids: number[]): Dataset => ({ ...d, x: ids.map((i) => d.x[i]!), y: ids.map((i) => d.y[i]!) })
  return { test: pick(perm.slice(0, nTest)), train: pick(perm.slice(nTest)) }
}

/** Per-feature mean and standard deviation, fitted on `x`. */
export type Standardizer = { mean: number[]; std: number[]; apply(row: number[]): number[] }

/**
 * Fit a z-score standardiser on `x` (std of a constant column is taken as 1).
 * @throws TypeError / RangeError when `x` is not a non-empty array of rows
 */
export function fitStandardizer(x: number[][]): Standardizer {
  const m = anArray(anArray(x, 'x', 1)[0], 'x[0]', 1).length
  const mean = new Array<number>(m).fill(0)
  const std = new Array<number>(m).fill(0)
  for (const r of x) for (let j = 0; j < m; j++) mean[j]! += r[j]! / x.length
  for (const r of x) for (let j = 0; j < m; j++) std[j]! += (r[j]! - mean[j]!) ** 2 / x.length
  for (let j = 0; j < m; j++) std[j] = Math.sqrt(std[j]!) || 1
  return { mean, std, apply: (row) => row.map((v, j) => (v - mean[j]!) / std[j]!) }
}
