/**
 * @module apply-aggregate
 * The coordinator's side of a round once the secure sum is known, shared by
 * {@link FederatedCoordinator} and the gateway's federated sessions: what vector a round sums
 * ({@link roundVectorSpec}) and how the global model moves from the sum ({@link applyAggregate}),
 * with the aggregate-norm check that discards a round a hospital inflated past its clip.
 */
import { FederatedError } from '../errors.js'
import type { FederatedDpConfig } from './federated-coordinator.js'

/** Fixed-point scale of the summed vectors (2^16). */
export const ROUND_SCALE = 2 ** 16

/** What a round sums: vector length, per-value bound, and the DP noise std σ of the sum (0 without DP). */
export type RoundVectorSpec = { length: number; bound: number; sigma: number }

/**
 * The vector spec of a round: without DP `[n·clip(Δ), n]` (length P + 1, bound clip · maxSamples);
 * with DP `clip(Δ) + noise` (length P, bound clip + 12σ, σ = z · clip).
 */
export function roundVectorSpec({ parameters, clip, maxSamples, dp }: { parameters: number; clip: number; maxSamples: number; dp: FederatedDpConfig | null }): RoundVectorSpec {
  const sigma = dp ? dp.noiseMultiplier * clip : 0
  return { length: dp ? parameters : parameters + 1, bound: dp ? clip + 12 * sigma : clip * maxSamples, sigma }
}

/** Parameters of {@link applyAggregate}. */
export type ApplyAggregateParameters = {
  parameters: readonly number[]
  sum: ArrayLike<number>
  /** Number of contributors U. */
  contributors: number
  rosterSize: number
  clip: number
  maxSamples: number
  serverLearningRate: number
  dp: FederatedDpConfig | null
}

/**
 * Step the global model by the averaged update, after checking the sum against the declared bounds.
 * @returns the new parameters, the round's effective noise multiplier (DP) and the update's norm
 * @throws FederatedError `FED_NORM_EXCEEDED` (a hospital lied about its weight or clip),
 *   `FED_TRAINING_DIVERGED` (non-finite model)
 */
export function applyAggregate(p: ApplyAggregateParameters): { parameters: number[]; noiseMultiplier: number | null; updateNorm: number } {
  const P = p.parameters.length
  const U = p.contributors
  const { sigma } = roundVectorSpec({ parameters: P, clip: p.clip, maxSamples: p.maxSamples, dp: p.dp })
  const sum = Array.from(p.sum)
  let update: number[]
  let normBound: number
  if (p.dp) {
    update = sum.slice(0, P).map((v) => v / U)
    // ‖Σ clip(Δ_k) + noise‖ ≤ U·C + ‖noise‖; ‖noise‖ ≤ σ_eff(√P + 8) except with probability < e^-32
    normBound = U * p.clip + sigma * (Math.sqrt(P) + 8)
  } else {
    const count = sum[P]!
    if (!(count >= 1 && count <= U * p.maxSamples + 1e-6)) throw new FederatedError('FED_NORM_EXCEEDED', { shortMessage: `the aggregated sample count ${count} is outside 1..${U * p.maxSamples}: a hospital lied about its weight` })
    update = sum.slice(0, P).map((v) => v / count)
    normBound = p.clip * count
  }
  const sumNorm = Math.sqrt(sum.slice(0, P).reduce((a, v) => a + v * v, 0))
  if (sumNorm > normBound * (1 + 1e-9) + P / ROUND_SCALE) {
    throw new FederatedError('FED_NORM_EXCEEDED', { shortMessage: `the aggregate update's norm ${sumNorm.toFixed(3)} exceeds what the contributors' declared clip allows (${normBound.toFixed(3)})`, details: 'at least one hospital sent an update past the clip bound; the round is discarded' })
  }
  const next = p.parameters.map((w, k) => w + p.serverLearningRate * update[k]!)
  if (next.some((v) => !Number.isFinite(v))) throw new FederatedError('FED_TRAINING_DIVERGED', { shortMessage: 'the global model became non-finite' })
  return { parameters: next, noiseMultiplier: p.dp ? (sigma * Math.sqrt(U / p.rosterSize)) / p.clip : null, updateNorm: Math.sqrt(update.reduce((a, v) => a + v * v, 0)) }
}
