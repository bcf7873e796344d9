/**
 * @module errors
 * Errors of `@krain/psi`. Every one is a `KrainError` with a stable `code` (no HTTP status: the
 * gateway maps codes to statuses).
 */
import { KrainError } from '@krain/core'

/** Stable codes of `@krain/psi`'s errors. */
export type PsiErrorCode =
  | 'PSI_MALFORMED_MESSAGE'
  | 'PSI_BAD_POINT'
  | 'PSI_WRONG_SESSION'
  | 'PSI_REPLAYED_CHUNK'
  | 'PSI_OUT_OF_ORDER'
  | 'PSI_WRONG_STATE'
  | 'PSI_VARIANT_MISMATCH'
  | 'PSI_TABLE_FULL'
  | 'PSI_SUM_OVERFLOW'
  | 'PSI_WORKER_FAILED'
  | 'PSI_TIMEOUT'
  | 'PSI_NOT_A_PARTY'

/** Parameters of a `PsiError`. */
export type PsiErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** The one error class of `@krain/psi`; `code` names the failure. */
export class PsiError extends KrainError {
  override name = 'PsiError'
  override readonly code: PsiErrorCode
  constructor(code: PsiErrorCode, { shortMessage, details, cause }: PsiErrorParameters) {
    super({ code, shortMessage, details, cause })
    this.code = code
  }
}
