import { describe, expect, it } from 'vitest'
import { calibrateRanges, denseForward, importOnnx, standardizeRow } from '@krain/models'
import { fixtureBytes, heldOutRows, manifest } from './onnx-helpers.js'

describe('calibrateRanges', () => {
  const entry = manifest.find((e) => e.file === 'digits_mlp_relu_torch_op13.onnx')!
  const { model } = importOnnx(fixtureBytes(entry.file))
  const rows = heldOutRows(entry)

  it('gives per-layer pre-activation ranges that contain every calibration value, widened by the margin', () => {
    const r = calibrateRanges({ model, rows, margin: 0.1 })
    expect(r.layers).toHaveLength(2)
    expect(r.inputRange).toHaveLength(64)
    const raw = calibrateRanges({ model, rows, margin: 0 })
    for (const row of rows) {
      const z = denseForward(model.layers[0]!, standardizeRow(model.standardize, row))
      for (const v of z) {
        expect(v).toBeGreaterThanOrEqual(raw.layers[0]!.preActivation.min)
        expect(v).toBeLessThanOrEqual(raw.layers[0]!.preActivation.max)
      }
    }
    // The extremes are attained with margin 0, and the margin widens by 10% of the span each side.
    const span = raw.layers[0]!.preActivation.max - raw.layers[0]!.preActivation.min
    expect(r.layers[0]!.preActivation.min).toBeCloseTo(raw.layers[0]!.preActivation.min - 0.1 * span, 9)
    expect(r.layers[0]!.preActivation.max).toBeCloseTo(raw.layers[0]!.preActivation.max + 0.1 * span, 9)
    expect(raw.layers[0]!.postActivation.min).toBe(0) // ReLU outputs
    // Pixel 0 is always blank in digits: a zero-width range is padded by margin · max(|v|, 1).
    expect(raw.inputRange[0]).toEqual({ min: 0, max: 0 })
    expect(r.inputRange[0]).toEqual({ min: -0.1, max: 0.1 })
  })

  it('refuses rows of the wrong width and a negative margin', () => {
    expect(() => calibrateRanges({ model, rows: [[1, 2, 3]] })).toThrow(RangeError)
    expect(() => calibrateRanges({ model, rows, margin: -1 })).toThrow(RangeError)
    expect(() => calibrateRanges({ model, rows: [] })).toThrow(RangeError)
  })
})
