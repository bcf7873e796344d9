/**
 * @module errors
 * Errors of `@krain/zk`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type ZkErrorParameters = { shortMessage: string; details?: string; cause?: unknown; status?: number }

/** Base of `@krain/zk`'s domain errors; `code` names the failure. */
export class ZkError extends KrainError {
  override name = 'ZkError'
  constructor(code: string, { shortMessage, details, cause, status }: ZkErrorParameters) {
    super({ code, shortMessage, details, cause, status })
  }
}
