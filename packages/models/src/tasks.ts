/**
 * @module tasks
 * The two ready-made tasks every Krain example, test and benchmark uses, on the real data
 * (UCI breast cancer and digits): a deterministic 80/20 split, preprocessing, and a trained
 * model, cached in memory so a test file pays for training once.
 */
import { fitStandardizer, loadBreastCancer, loadDigits, trainTestSplit } from '@krain/datasets'
import { trainLogistic, trainMlp } from './train.js'
import type { LabelledRows, LinearModel, MlpModel } from './types.js'

/** breast_cancer: 30 z-scored features (mean/std fitted on the training rows), logistic model. */
export type BreastCancerTask = { train: LabelledRows; test: LabelledRows; model: LinearModel; mean: number[]; std: number[] }

/** digits: 64 features = pixel / 16 in [0, 1], MLP 64-16-10 with square activation. */
export type DigitsTask = { train: LabelledRows; test: LabelledRows; model: MlpModel }

let bc: BreastCancerTask | undefined
let dg: DigitsTask | undefined

/** The breast_cancer logistic-regression task (deterministic; cached). */
export function breastCancerTask(): BreastCancerTask {
  if (bc) return bc
  const { train, test } = trainTestSplit(loadBreastCancer(), 0.2, 7)
  const st = fitStandardizer(train.x)
  const tr = { x: train.x.map(st.apply), y: train.y }
  const te = { x: test.x.map(st.apply), y: test.y }
  bc = { train: tr, test: te, model: trainLogistic(tr), mean: st.mean, std: st.std }
  return bc
}

/** The digits MLP task (deterministic; cached). */
export function digitsTask(): DigitsTask {
  if (dg) return dg
  const { train, test } = trainTestSplit(loadDigits(), 0.2, 7)
  const pre = (rows: number[][]): number[][] => rows.map((r) => r.map((v) => v / 16))
  const tr = { x: pre(train.x), y: train.y }
  const te = { x: pre(test.x), y: test.y }
  dg = { train: tr, test: te, model: trainMlp({ ...tr, classes: 10, hidden: [16], seed: 1 }) }
  return dg
}
