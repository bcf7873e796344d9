/**
 * @module errors
 * Errors of `@krain/mpc`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type MpcErrorParameters = { shortMessage: string; details?: string; cause?: unknown; status?: number }

/** Base of `@krain/mpc`'s domain errors; `code` names the failure. */
export class MpcError extends KrainError {
  override name = 'MpcError'
  constructor(code: string, { shortMessage, details, cause, status }: MpcErrorParameters) {
    super({ code, shortMessage, details, cause, status })
  }
}
