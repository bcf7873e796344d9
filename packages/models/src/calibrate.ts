/**
 * @module calibrate
 * Per-layer value ranges of a model over calibration rows: what `@krain/he` needs to choose a
 * polynomial approximation interval for each non-polynomial activation, and `@krain/zk` to size
 * its fixed-point ranges. Plaintext only; the rows are the owner's, and stay with the owner.
 */
import { anArray, aFiniteNumber } from '@krain/core'
import { assertModel, modelShape, toNetwork } from './network.js'
import { activate, denseForward, standardizeRow } from './predict.js'
import type { Model } from './types.js'

/** A closed interval. */
export type ValueRange = { min: number; max: number }

/** Parameters of {@link calibrateRanges}. */
export type CalibrateRangesParameters = {
  model: Model
  /** Raw feature rows (before the model's standardisation), at least one. */
  rows: number[][]
  /**
   * Relative margin added on each side: the range `[lo, hi]` becomes
   * `[lo − margin·(hi − lo), hi + margin·(hi − lo)]` (default 0.1; ≥ 0). A zero-width range
   * `[v, v]` is padded by `margin·max(|v|, 1)` instead.
   */
  margin?: number
}

/** What {@link calibrateRanges} returns. */
export type CalibrateRangesReturnType = {
  /** Per feature, the range of the model's input (after standardisation), with the margin. */
  inputRange: ValueRange[]
  /**
   * Per layer: the range of its pre-activation values `W h + b` over all units and rows (the
   * interval an activation's approximation must cover), and of its post-activation outputs;
   * both with the margin.
   */
  layers: { preActivation: ValueRange; postActivation: ValueRange }[]
  /** The margin used. */
  margin: number
  /** Number of rows. */
  rows: number
}

const widen = (r: ValueRange, margin: number): ValueRange => {
  const span = r.max - r.min
  const pad = margin * (span > 0 ? span : Math.max(Math.abs(r.max), 1))
  return { min: r.min - pad, max: r.max + pad }
}

/**
 * Min/max of every layer's pre-activation values (and of the inputs) over calibration rows.
 * @param parameters - {@link CalibrateRangesParameters}
 * @returns {@link CalibrateRangesReturnType}
 * @throws {TypeError} / {RangeError} for a bad model, rows of the wrong width or non-finite values, a negative margin
 * @example
 * ```ts
 * const { layers } = calibrateRanges({ model, rows: train.x, margin: 0.1 })
 * layers[0].preActivation // { min: -7.9, max: 6.2 }: approximate ReLU over this interval
 * ```
 */
export function calibrateRanges({ model, rows, margin = 0.1 }: CalibrateRangesParameters): CalibrateRangesReturnType {
  assertModel(model)
  const net = toNetwork(model)
  const inputs = modelShape(net).inputs
  anArray<number[]>(rows, 'rows', 1)
  const m = aFiniteNumber(margin, 'margin')
  if (m < 0) throw new RangeError(`"margin" expected a non-negative number, got ${m}`)
  const inputRange: ValueRange[] = Array.from({ length: inputs }, () => ({ min: Infinity, max: -Infinity }))
  const pre: ValueRange[] = net.layers.map(() => ({ min: Infinity, max: -Infinity }))
  const post: ValueRange[] = net.layers.map(() => ({ min: Infinity, max: -Infinity }))
  const grow = (r: ValueRange, v: number) => {
    if (v < r.min) r.min = v
    if (v > r.max) r.max = v
  }
  rows.forEach((row, k) => {
    const r = anArray<number>(row, `rows[${k}]`, inputs, inputs)
    for (let i = 0; i < inputs; i++) if (typeof r[i] !== 'number' || !Number.isFinite(r[i])) throw new TypeError(`"rows[${k}][${i}]" expected a finite number, got ${String(r[i])}`)
    let h = standardizeRow(net.standardize, r)
    h.forEach((v, i) => grow(inputRange[i]!, v))
    net.layers.forEach((layer, l) => {
      const z = denseForward(layer, h)
      for (const v of z) grow(pre[l]!, v)
      h = layer.activation === 'identity' ? z : z.map((v) => activate(layer.activation, v))
      for (const v of h) grow(post[l]!, v)
    })
  })
  return { inputRange: inputRange.map((r) => widen(r, m)), layers: pre.map((p, l) => ({ preActivation: widen(p, m), postActivation: widen(post[l]!, m) })), margin: m, rows: rows.length }
}
