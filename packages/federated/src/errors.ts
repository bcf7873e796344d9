/**
 * @module errors
 * Errors of `@krain/federated`. Every one is a `KrainError` with a stable `code` (no HTTP status:
 * the gateway maps codes to statuses).
 */
import { KrainError } from '@krain/core'

/** Stable codes of `@krain/federated`'s errors. */
export type FederatedErrorCode =
  | 'FED_BUDGET_EXHAUSTED'
  | 'FED_TOO_FEW_HOSPITALS'
  | 'FED_NORM_EXCEEDED'
  | 'FED_ROUND_FAILED'
  | 'FED_BAD_STATE'
  | 'FED_TRAINING_DIVERGED'
  | 'FED_REPLAYED_MESSAGE'
  | 'FED_BAD_SIGNATURE'
  | 'FED_MALFORMED_MESSAGE'

/** Parameters of {@link FederatedError}. */
export type FederatedErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** Base of `@krain/federated`'s domain errors; `code` names the failure. */
export class FederatedError extends KrainError {
  override name = 'FederatedError'
  constructor(code: FederatedErrorCode, { shortMessage, details, cause }: FederatedErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}

/** The session's privacy budget would be exceeded by one more round. Code `FED_BUDGET_EXHAUSTED`. */
export class FederatedBudgetError extends FederatedError {
  override name = 'FederatedBudgetError'
  /** ε spent so far and ε after the refused round. */
  readonly spent: number
  readonly wouldSpend: number
  constructor({ spent, wouldSpend, budget }: { spent: number; wouldSpend: number; budget: number }) {
    super('FED_BUDGET_EXHAUSTED', { shortMessage: `privacy budget spent: one more round would bring ε to ${wouldSpend.toFixed(3)} > budget ${budget}`, details: `ε spent so far ${spent.toFixed(3)}` })
    this.spent = spent
    this.wouldSpend = wouldSpend
  }
}
