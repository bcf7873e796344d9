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

// --- Paillier ---

/** A Paillier key is malformed or of a refused size (`HE_INVALID_KEY`). */
export class PaillierInvalidKeyError extends HeError {
  override name = 'PaillierInvalidKeyError'
  constructor(p: HeErrorParameters) {
    super('HE_INVALID_KEY', p)
  }
}

/** A Paillier ciphertext is not in Z*_{n²} (≥ n², zero, or not coprime to n) (`HE_INVALID_CIPHERTEXT`). */
export class PaillierInvalidCiphertextError extends HeError {
  override name = 'PaillierInvalidCiphertextError'
  constructor(p: HeErrorParameters) {
    super('HE_INVALID_CIPHERTEXT', p)
  }
}

/** A Paillier result could leave the plaintext range, or a decrypted value lies outside its declared bound (`HE_OVERFLOW`). */
export class PaillierOverflowError extends HeError {
  override name = 'PaillierOverflowError'
  constructor(p: HeErrorParameters) {
    super('HE_OVERFLOW', p)
  }
}

/** A packed ciphertext would exceed the headroom of its slots (`HE_PACKING_OVERFLOW`). */
export class PaillierPackingOverflowError extends HeError {
  override name = 'PaillierPackingOverflowError'
  constructor(p: HeErrorParameters) {
    super('HE_PACKING_OVERFLOW', p)
  }
}

// --- shared by every scheme, and SEAL (CKKS, BFV) and ElGamal ---

/** A SEAL (node-seal) call failed; `cause` holds what SEAL threw (often not an `Error`). Code `HE_SEAL`. */
export class HeSealError extends HeError {
  override name = 'HeSealError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_SEAL', { shortMessage, details, cause })
  }
}

/** Encryption parameters are invalid or outside SEAL's 128-bit security table. Code `HE_PARAMETERS_INVALID`. */
export class HeParametersError extends HeError {
  override name = 'HeParametersError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_PARAMETERS_INVALID', { shortMessage, details, cause })
  }
}

/** Operands (keys, ciphertexts, encoders, packers, plans) were made under other parameters or keys, in any scheme. Code `HE_KEY_MISMATCH`. */
export class HeKeyMismatchError extends HeError {
  override name = 'HeKeyMismatchError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_KEY_MISMATCH', { shortMessage, details, cause })
  }
}

/** Serialised data (a key, key bundle, ciphertext or plan, in any scheme) is malformed, truncated or of an unknown format or version. Code `HE_SERIALIZATION_INVALID`. */
export class HeSerializationError extends HeError {
  override name = 'HeSerializationError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_SERIALIZATION_INVALID', { shortMessage, details, cause })
  }
}

/** The computation needs more multiplicative levels than the parameters provide. Code `HE_DEPTH_EXCEEDED`. */
export class HeDepthError extends HeError {
  override name = 'HeDepthError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_DEPTH_EXCEEDED', { shortMessage, details, cause })
  }
}

/** Operands have scales that cannot be matched safely: CKKS scales, Paillier fixed-point scales or packing layouts. Code `HE_SCALE_MISMATCH`. */
export class HeScaleError extends HeError {
  override name = 'HeScaleError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_SCALE_MISMATCH', { shortMessage, details, cause })
  }
}

/** A rotation was asked for whose Galois key is not loaded. Code `HE_GALOIS_KEY_MISSING`. */
export class HeMissingKeyError extends HeError {
  override name = 'HeMissingKeyError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_GALOIS_KEY_MISSING', { shortMessage, details, cause })
  }
}

/** A BFV ciphertext has no noise budget left, so its decryption would be wrong. Code `HE_NOISE_BUDGET_EXHAUSTED`. */
export class HeNoiseBudgetError extends HeError {
  override name = 'HeNoiseBudgetError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_NOISE_BUDGET_EXHAUSTED', { shortMessage, details, cause })
  }
}

/** An object was used after it was disposed. Code `HE_DISPOSED`. */
export class HeDisposedError extends HeError {
  override name = 'HeDisposedError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_DISPOSED', { shortMessage, details, cause })
  }
}

/** An exponential ElGamal plaintext lies outside the discrete-log search range. Code `HE_DLOG_OUT_OF_RANGE`. */
export class HeDiscreteLogError extends HeError {
  override name = 'HeDiscreteLogError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_DLOG_OUT_OF_RANGE', { shortMessage, details, cause })
  }
}

// --- CKKS inference bounds ---

/**
 * A value could exceed what the CKKS modulus chain can represent at its level (it would wrap and
 * decrypt to garbage): the planner found no 128-bit parameters with enough headroom. `details`
 * names the bound and the headroom it would need. Code `HE_HEADROOM_EXCEEDED`.
 */
export class HeHeadroomError extends HeError {
  override name = 'HeHeadroomError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_HEADROOM_EXCEEDED', { shortMessage, details, cause })
  }
}

/**
 * A client input lies outside what the plan admits (|x| > `plan.inputBound`, or a raw feature
 * outside the plan's calibrated `inputRange`); refused before encryption. Code `HE_INPUT_OUT_OF_RANGE`.
 */
export class HeInputRangeError extends HeError {
  override name = 'HeInputRangeError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_INPUT_OUT_OF_RANGE', { shortMessage, details, cause })
  }
}

/**
 * A decrypted result lies outside the plan's output bound plus its error bound, so it cannot be
 * a correct evaluation of the plan's model (overflow, a foreign or tampered ciphertext, or inputs
 * the client did not check). Code `HE_OUTPUT_OUT_OF_BOUND`.
 */
export class HeOutputBoundError extends HeError {
  override name = 'HeOutputBoundError'
  constructor({ shortMessage, details, cause }: HeErrorParameters) {
    super('HE_OUTPUT_OUT_OF_BOUND', { shortMessage, details, cause })
  }
}
