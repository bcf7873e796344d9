/**
 * @module identity/errors
 * The gateway's identity errors (anonymous membership requests, on-chain policy, credentials).
 * Codes only; `plugins/app/error-handler.ts` maps them to statuses. `@krain/identity`'s own errors
 * (`IDENTITY_*`) pass through with their codes.
 */
import { GatewayError } from '../errors.js'

/** Codes of {@link IdentityGatewayError}. */
export type IdentityGatewayErrorCode =
  /** The membership-proof header is not a well-formed proof (400). */
  | 'ANONYMOUS_PROOF_MALFORMED'
  /** No anonymous rule of the policy covers this group, model or route (403). */
  | 'ANONYMOUS_NOT_ALLOWED'
  /** Anonymous requests are not configured on this gateway (no group registry) (501). */
  | 'ANONYMOUS_UNAVAILABLE'
  /** The policy file's hash differs from the one `PolicyRegistry` records: nothing is served (503). */
  | 'POLICY_MISMATCH'
  /** The registry could not be read yet, so the policy is not known to be the published one (503). */
  | 'POLICY_UNVERIFIED'

/** An issue-16 gateway error. */
export class IdentityGatewayError extends GatewayError {
  override name = 'IdentityGatewayError'
  declare readonly code: IdentityGatewayErrorCode
  constructor(code: IdentityGatewayErrorCode, shortMessage: string, details?: string) {
    super(code, { shortMessage, details })
  }
}
