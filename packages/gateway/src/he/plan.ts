/**
 * @module he/plan
 * The CKKS plan of an encrypted inference, computed by the gateway from the model it holds (the
 * client never needs the weights: the plan carries only shapes, parameters and a fingerprint).
 * Deterministic, so the infer route recomputes it rather than trusting a client's copy.
 */
import { planInference, type InferencePlan } from '@krain/he'
import type { Model } from '@krain/models'

/** Plan an encrypted inference of `model` for up to `batchSize` samples. */
export function planFor(model: Model, p: { batchSize: number; layout?: InferencePlan['layout']; inputBound?: number; calibration?: { lo: number[]; hi: number[] } }): InferencePlan {
  // A calibrated model (registered with calibration rows) is planned over its calibrated ranges;
  // the client then refuses inputs outside them before encrypting.
  if (p.calibration) return planInference({ model, batchSize: p.batchSize, calibration: p.calibration, ...(p.layout ? { layout: p.layout } : {}) })
  return planInference({ model, batchSize: p.batchSize, ...(p.layout ? { layout: p.layout } : {}), ...(p.inputBound !== undefined ? { inputBound: p.inputBound } : {}) })
}
