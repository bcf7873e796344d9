/**
 * Import a user's ONNX model of an odd shape (13 pixels, 3 classes, exported by PyTorch), check
 * it against onnxruntime-node on held-out rows, and get the calibration ranges an encrypted
 * deployment needs. Run from the repository root:
 *   node --conditions=source --import tsx packages/models/examples/onnx-import.ts
 */
import { readFileSync } from 'node:fs'
import { loadDigits, trainTestSplit } from '@krain/datasets'
import { calibrateRanges, importOnnx, modelFingerprint, predictLabel, predictProba } from '@krain/models'
import * as ort from 'onnxruntime-node'

const file = 'packages/models/fixtures/odd13x3_mlp_tanh_torch_op17.onnx'
const bytes = new Uint8Array(readFileSync(file))
const { model, report } = importOnnx(bytes)
console.log(report.producer, `opset ${report.opset}`, report.layers, `${report.parameters} parameters`, `head ${report.head}`)
console.log('fingerprint', modelFingerprint(model))

// The same 13 pixels and digits 0..2 the model was trained on (columns from the fixture manifest).
const { columns } = JSON.parse(readFileSync('packages/models/fixtures/manifest.json', 'utf8')).find((e: { file: string }) => file.endsWith(e.file))
const { train, test } = trainTestSplit(loadDigits())
const pick = (x: number[][], y: number[]) => x.filter((_, i) => y[i]! < 3).map((r) => columns.map((c: number) => r[c]!))
const rows = pick(test.x, test.y)

const session = await ort.InferenceSession.create(bytes)
const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 13]) })
const ref = out.output!.data as Float32Array
let worst = 0
let same = 0
rows.forEach((row, i) => {
  const p = predictProba(model, row)
  p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - ref[i * 3 + k]!))))
  const r = [0, 1, 2].reduce((a, k) => (ref[i * 3 + k]! > ref[i * 3 + a]! ? k : a), 0)
  if (predictLabel(model, row) === r) same++
})
console.log(`${rows.length} held-out rows: max |Krain − onnxruntime| = ${worst.toExponential(2)}, labels identical ${same}/${rows.length}`)

// Per-layer ranges over the owner's calibration rows (the training rows), for the HE planner.
const { layers } = calibrateRanges({ model, rows: pick(train.x, train.y), margin: 0.1 })
console.log('pre-activation ranges', layers.map((l) => [l.preActivation.min.toFixed(2), l.preActivation.max.toFixed(2)]))
await session.release()
