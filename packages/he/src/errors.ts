/**
 * @module errors
 * Errors of `@krain/he`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type HeErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** Base of `@krain/he`'s domain errors; `code` names the failure. */
export class HeError extends KrainError {
  override name = 'HeError'
  constructor(code: string, { shortMessage, details, cause }: HeErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}

// --- paillier errors (section owned by the Paillier work) ---

// --- ckks / bfv / elgamal errors (section owned by the SEAL/ElGamal work) ---
