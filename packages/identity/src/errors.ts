/**
 * @module errors
 * Errors of `@krain/identity`. Every one is a `KrainError` with a stable `code` (no HTTP status:
 * the gateway maps codes to statuses).
 */
import { KrainError } from '@krain/core'

/** Stable codes of `@krain/identity`'s errors. */
export type IdentityErrorCode =
  | 'IDENTITY_NOT_MEMBER'
  | 'IDENTITY_TREE_TOO_DEEP'
  | 'IDENTITY_BAD_PROOF'
  | 'IDENTITY_UNKNOWN_ROOT'
  | 'IDENTITY_ROOT_EXPIRED'
  | 'IDENTITY_NULLIFIER_EXHAUSTED'
  | 'IDENTITY_MESSAGE_MISMATCH'
  | 'IDENTITY_SCOPE_MISMATCH'
  | 'IDENTITY_BAD_DID'
  | 'IDENTITY_BAD_CREDENTIAL'
  | 'IDENTITY_CREDENTIAL_EXPIRED'
  | 'IDENTITY_UNTRUSTED_ISSUER'

/** Every code, for exhaustive gateway mappings. */
export const IDENTITY_ERROR_CODES = [
  'IDENTITY_NOT_MEMBER', 'IDENTITY_TREE_TOO_DEEP', 'IDENTITY_BAD_PROOF', 'IDENTITY_UNKNOWN_ROOT', 'IDENTITY_ROOT_EXPIRED',
  'IDENTITY_NULLIFIER_EXHAUSTED', 'IDENTITY_MESSAGE_MISMATCH', 'IDENTITY_SCOPE_MISMATCH', 'IDENTITY_BAD_DID',
  'IDENTITY_BAD_CREDENTIAL', 'IDENTITY_CREDENTIAL_EXPIRED', 'IDENTITY_UNTRUSTED_ISSUER',
] as const satisfies readonly IdentityErrorCode[]

/** Parameters of {@link IdentityError}. */
export type IdentityErrorParameters = { code: IdentityErrorCode; shortMessage: string; details?: string; cause?: unknown }

/** The domain error of `@krain/identity`; `code` names the failure. */
export class IdentityError extends KrainError {
  override name = 'IdentityError'
  declare readonly code: IdentityErrorCode
  constructor({ code, shortMessage, details, cause }: IdentityErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}
