import { describe, expect, it } from 'vitest'
import { argmax, importOnnx, importOnnxFile, modelFingerprint, predictLabel, predictProba, predictScores, toNetwork, type LinearModel } from '@krain/models'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, fixtureBytes, heldOutRows, manifest, runOrt } from './onnx-helpers.js'

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))

describe('importOnnx: every fixture matches onnxruntime-node on held-out rows', () => {
  it('has the fixtures of the issue (sklearn and torch, breast_cancer and digits, opsets 9, 13, 17)', () => {
    const files = manifest.map((e) => e.file).join(' ')
    for (const f of ['bc_logreg_sklearn_op9', 'bc_logreg_torch_op13', 'digits_logreg_sklearn_op17', 'digits_mlp_relu_torch_op13', 'digits_mlp_sklearn_op13', 'bc_ridge2_sklearn', 'bc_mlpreg_sklearn', 'bc_mlp_bn_torch', 'digits_mlp_square_torch', 'odd13x3', 'mlp_100k_op13']) expect(files).toContain(f)
  })

  for (const e of manifest) {
    it(`${e.file}: ${e.compare} within 1e-5 of onnxruntime`, async () => {
      const bytes = fixtureBytes(e.file)
      const { model, report } = importOnnx(bytes, e.head ? { head: e.head } : {})
      const rows = heldOutRows(e)
      expect(rows.length).toBeGreaterThan(30)
      const outs = [e.output, e.label].filter((o): o is string => !!o)
      const ort = await runOrt(bytes, rows, outs, e.inputShape)
      let worst = 0
      rows.forEach((row, i) => {
        if (e.compare === 'label') return
        const ref = ort[e.output!]![i]!.map(Number)
        const ours = e.compare === 'proba' ? predictProba(model, row) : e.compare === 'p1' ? [predictProba(model, row)[1]!] : predictScores(model, row)
        expect(ours.length).toBe(ref.length)
        ours.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - ref[k]!) / Math.max(1, Math.abs(ref[k]!)))
          expect(close(v, ref[k]!), `row ${i} output ${k}: ours ${v}, onnxruntime ${ref[k]}`).toBe(true)
        })
      })
      if (e.label) {
        const labels = model.classLabels
        rows.forEach((row, i) => {
          const idx = predictLabel(model, row)
          const ours = labels ? labels[idx] : idx
          expect(ours, `row ${i} label`).toBe(Number(ort[e.label!]![i]![0]))
        })
      }
      if (e.compare === 'proba' && report.head === 'argmax') rows.forEach((row, i) => expect(predictLabel(model, row)).toBe(argmax(ort[e.output!]![i]!.map(Number))))
      expect(worst).toBeLessThanOrEqual(1e-5)
    })
  }
})

describe('importOnnx: the report and the mapping', () => {
  it('reports layers, opset, producer and parameters', () => {
    const { report } = importOnnx(fixtureBytes('digits_mlp_relu_torch_op13.onnx'))
    expect(report.opset).toBe(13)
    expect(report.producer).toMatch(/pytorch/)
    expect(report.layers).toEqual([{ inputs: 64, outputs: 32, activation: 'relu' }, { inputs: 32, outputs: 10, activation: 'identity' }])
    expect(report.parameters).toBe(64 * 32 + 32 + 32 * 10 + 10)
    expect(report.head).toBe('argmax')
  })

  it('folds BatchNormalization into the input standardisation and the preceding dense layer', () => {
    const { model, report } = importOnnx(fixtureBytes('bc_mlp_bn_torch_op13.onnx'))
    expect(report.folded).toHaveLength(2)
    expect(report.layers.map((l) => l.activation)).toEqual(['sigmoid', 'tanh', 'identity'])
    expect(model.standardize).toBeDefined()
  })

  it('maps skl2onnx post-processing (Normalizer, ZipMap, ArrayFeatureExtractor) onto head and labels', () => {
    expect(importOnnx(fixtureBytes('digits_logreg_sklearn_op13.onnx')).report.ignored.join()).toMatch(/Normalizer/)
    expect(importOnnx(fixtureBytes('bc_logreg_sklearn_zipmap_op13.onnx')).report.ignored.join()).toMatch(/ZipMap/)
    const mlp = importOnnx(fixtureBytes('bc_mlp_sklearn_op17.onnx'))
    expect(mlp.model.head).toBe('sign')
    expect(mlp.model.layers.at(-1)!.activation).toBe('identity')
  })

  it('imports the 100k-parameter benchmark MLP', async () => {
    const { report } = await importOnnxFile(join(FIXTURES, 'mlp_100k_op13.onnx'))
    expect(report.parameters).toBe(784 * 128 + 128 + 128 * 10 + 10)
  })
})

describe('modelFingerprint across import paths', () => {
  it('is the same for the JSON logistic model and its PyTorch ONNX export', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'bc_logreg_torch.json'), 'utf8')) as LinearModel
    for (const op of [9, 13, 17]) {
      const { model } = importOnnx(fixtureBytes(`bc_logreg_torch_op${op}.onnx`))
      expect(model).toEqual(toNetwork(json))
      expect(modelFingerprint(model)).toBe(modelFingerprint(json))
    }
  })

  it('is the same for one model exported at opsets 9, 13 and 17', () => {
    const relu = modelFingerprint(importOnnx(fixtureBytes('digits_mlp_relu_torch_op13.onnx')).model)
    // The same weights behind x / 16 and x.view(x.size(0), -1) on [N, 1, 8, 8] images.
    expect(modelFingerprint(importOnnx(fixtureBytes('digits_mlp_relu_view_torch_op9.onnx')).model)).toBe(relu)
    expect(modelFingerprint(importOnnx(fixtureBytes('digits_mlp_relu_view_torch_op13.onnx')).model)).toBe(relu)
    for (const base of ['digits_mlp_relu_torch', 'bc_mlp_bn_torch', 'digits_logreg_sklearn', 'bc_logreg_sklearn']) {
      const fps = [9, 13, 17].map((op) => modelFingerprint(importOnnx(fixtureBytes(`${base}_op${op}.onnx`)).model))
      expect(new Set(fps).size, base).toBe(1)
    }
  })
})
