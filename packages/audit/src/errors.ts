/**
 * @module errors
 * Errors of `@krain/audit`: one class, stable codes, no transport status.
 */
import { KrainError } from '@krain/core'

/** Stable codes of `@krain/audit`'s errors. */
export type AuditErrorCode = 'AUDIT_MALFORMED_LOG' | 'AUDIT_BAD_ENTRY' | 'AUDIT_BAD_SIGNATURE' | 'AUDIT_CONSENT_INVALID' | 'AUDIT_CONSENT_EXPIRED'

/** Parameters of an `AuditError`. */
export type AuditErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** The error class of `@krain/audit`. */
export class AuditError extends KrainError {
  override name = 'AuditError'
  override readonly code: AuditErrorCode
  constructor(code: AuditErrorCode, { shortMessage, details, cause }: AuditErrorParameters) {
    super({ code, shortMessage, details, cause })
    this.code = code
  }
}
