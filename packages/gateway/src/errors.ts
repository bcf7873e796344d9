/**
 * @module errors
 * Errors of `@krain/gateway`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type GatewayErrorParameters = { shortMessage: string; details?: string; cause?: unknown; status?: number }

/** Base of `@krain/gateway`'s domain errors; `code` names the failure. */
export class GatewayError extends KrainError {
  override name = 'GatewayError'
  constructor(code: string, { shortMessage, details, cause, status }: GatewayErrorParameters) {
    super({ code, shortMessage, details, cause, status })
  }
}
