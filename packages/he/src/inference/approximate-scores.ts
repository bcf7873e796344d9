/**
 * @module inference/approximate-scores
 * The scores the encrypted evaluation approximates, computed in plaintext: the plan's network with
 * its polynomial approximations in place of relu / sigmoid / tanh (CKKS adds only its small noise
 * on top). A model owner uses it to see, before anyone encrypts, how the approximations change the
 * labels on their own rows.
 */
import { anArray } from '@krain/core'
import { standardizeRow, type Model } from '@krain/models'
import { HeKeyMismatchError } from '../errors.js'
import { chebyshevValue } from './approximation.js'
import { checkModel, layersOf, modelFingerprint } from './model-shape.js'
import { prepareNetwork } from './network-bounds.js'
import { checkPlan, degreesOf, inputBoxOf, type InferencePlan } from './planner.js'

/** Parameters of {@link approximateScores}. */
export type ApproximateScoresParameters = { model: Model; plan: InferencePlan; rows: number[][] }

/**
 * Plaintext scores of the plan's polynomial network (raw rows; the model's standardisation is applied).
 * @param p - the model, its plan, raw feature rows
 * @returns one score vector per row
 * @throws {HeKeyMismatchError} when the plan was made for another model
 * @example
 * ```ts
 * const approx = approximateScores({ model, plan, rows: test.x })
 * ```
 */
export function approximateScores(p: ApproximateScoresParameters): number[][] {
  const plan = checkPlan(p?.plan)
  const model = checkModel(p.model)
  if (modelFingerprint(model) !== plan.modelId) throw new HeKeyMismatchError({ shortMessage: 'the model is not the one the plan was made for' })
  const rows = anArray<number[]>(p.rows, 'rows', 1, 1 << 20)
  const layers = prepareNetwork(layersOf(model), inputBoxOf(plan), degreesOf(plan))
  return rows.map((r, i) => {
    let h = standardizeRow(plan.standardize, anArray<number>(r, `rows[${i}]`, plan.inputs, plan.inputs))
    for (const l of layers) {
      const z = l.weights.map((w, k) => w.reduce((a, v, j) => a + v * h[j]!, l.bias[k]!))
      h = l.coefficients ? z.map((t, k) => chebyshevValue(l.coefficients![k]!, t)) : l.activation === 'square' ? z.map((v) => v * v) : z
    }
    return h
  })
}

/** One layer of {@link polynomialNetwork}: what the server evaluates. */
export type PolynomialLayer = {
  /** Dense weights and bias as evaluated (normalisation folded in where the activation is approximated). */
  weights: number[][]
  bias: number[]
  activation: 'identity' | 'square' | 'chebyshev'
  /** For `chebyshev`: per neuron, p(t) = Σ c_i T_i(t) on t ∈ [−1, 1]. */
  coefficients?: number[][]
}

/**
 * The network the encrypted evaluation computes under `plan`: dense layers (normalisation of
 * approximated neurons folded into their rows), squares, and per-neuron Chebyshev polynomials.
 * For inspection, and for writing the same computation elsewhere (e.g. a hand-written baseline).
 * @throws {HeKeyMismatchError} when the plan was made for another model
 */
export function polynomialNetwork({ model, plan }: { model: Model; plan: InferencePlan }): PolynomialLayer[] {
  const p = checkPlan(plan)
  const m = checkModel(model)
  if (modelFingerprint(m) !== p.modelId) throw new HeKeyMismatchError({ shortMessage: 'the model is not the one the plan was made for' })
  return prepareNetwork(layersOf(m), inputBoxOf(p), degreesOf(p)).map((l) => ({
    weights: l.weights,
    bias: l.bias,
    activation: l.coefficients ? 'chebyshev' : l.activation === 'square' ? 'square' : 'identity',
    ...(l.coefficients ? { coefficients: l.coefficients } : {}),
  }))
}
