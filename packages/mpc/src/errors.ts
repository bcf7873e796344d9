/**
 * @module errors
 * Errors of `@krain/mpc`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type MpcErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** Base of `@krain/mpc`'s domain errors; `code` names the failure. */
export class MpcError extends KrainError {
  override name = 'MpcError'
  constructor(code: string, { shortMessage, details, cause }: MpcErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}

// ---- protocol error codes ----

/** Stable codes of `@krain/mpc`'s errors. */
export type MpcErrorCode =
  | 'MPC_WRONG_SESSION'
  | 'MPC_UNKNOWN_PARTY'
  | 'MPC_BAD_SIGNATURE'
  | 'MPC_LATE_MESSAGE'
  | 'MPC_WRONG_ROUND'
  | 'MPC_EQUIVOCATION'
  | 'MPC_MALFORMED_MESSAGE'
  | 'MPC_BAD_KEY'
  | 'MPC_BAD_SHARE'
  | 'MPC_OVERFLOW'
  | 'MPC_TOO_FEW_CONTRIBUTORS'
  | 'MPC_TOO_FEW_SHARES'
  | 'MPC_INCONSISTENT_SHARES'
  | 'MPC_SESSION_FAILED'
  | 'MPC_CUSTODY'
  | 'MPC_RESULT_UNVERIFIED'
  | 'MPC_DEALER_MISBEHAVED'
  | 'MPC_BAD_COMPLAINT'

/**
 * A dealer's signed share to this party is invalid (it does not open under the key the dealer
 * committed to, or has the wrong size): `complaint` is the signed, transferable proof to send to
 * the coordinator (anyone checks it with `verifyDealerComplaint`). Code `MPC_DEALER_MISBEHAVED`.
 */
export class MpcDealerError extends MpcError {
  override name = 'MpcDealerError'
  /** The dealer to blame. */
  readonly dealer: string
  /** The signed complaint (a `DealerComplaint` message). */
  readonly complaint: unknown
  constructor({ dealer, complaint, ...rest }: MpcErrorParameters & { dealer: string; complaint: unknown }) {
    super('MPC_DEALER_MISBEHAVED', rest)
    this.dealer = dealer
    this.complaint = complaint
  }
}

/** A sum-share (or several) lay off the polynomial the others agree on and could not be corrected. */
export class MpcCheaterError extends MpcError {
  override name = 'MpcCheaterError'
  /** Parties identified as inconsistent (may be empty when too many disagree to tell). */
  readonly cheaters: string[]
  constructor({ cheaters, ...rest }: MpcErrorParameters & { cheaters: string[] }) {
    super('MPC_INCONSISTENT_SHARES', rest)
    this.cheaters = cheaters
  }
}
