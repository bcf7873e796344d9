/**
 * @module local-sgd
 * A hospital's local training step for the canonical network IR: `@krain/models`' mini-batch SGD
 * on the flat parameter vector (sigmoid cross-entropy for a `sign` head, softmax cross-entropy for
 * an `argmax` head). FedProx (Li et al., MLSys 2020) adds μ/2·‖w − w_global‖² to the local objective.
 */
import { seededRandom, sgdTrain } from '@krain/models'
import type { NetworkModel } from '@krain/models'
import { FederatedError } from '../errors.js'

/** Parameters of {@link localTrain}. */
export type LocalTrainParameters = {
  /** The network (its layer shapes, activations and head); its weights are ignored. */
  model: NetworkModel
  /** Starting (global) parameters, flat. */
  start: Float64Array
  x: readonly number[][]
  y: readonly number[]
  epochs: number
  learningRate: number
  batchSize: number
  /** FedProx μ (0 = FedAvg). */
  mu: number
  /** Seed of the batch order. */
  seed: number
}

/**
 * Run local SGD from `start` (`@krain/models`' `sgdTrain`, batches in an order seeded by `seed`).
 * @returns the new flat parameters
 * @throws FederatedError `FED_TRAINING_DIVERGED` if a parameter becomes non-finite
 */
export function localTrain(p: LocalTrainParameters): Float64Array {
  const w = sgdTrain({ model: p.model, start: p.start, x: p.x, y: p.y, epochs: p.epochs, learningRate: p.learningRate, batchSize: p.batchSize, mu: p.mu, random: seededRandom(p.seed) })
  for (const v of w) if (!Number.isFinite(v)) throw new FederatedError('FED_TRAINING_DIVERGED', { shortMessage: 'local training diverged (non-finite weights)', details: 'lower "learningRate"' })
  return w
}
