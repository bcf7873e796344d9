/**
 * @module errors
 * Errors of `@krain/zk`. Every one is a `KrainError` with a stable `code`.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type ZkErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/** Base of `@krain/zk`'s domain errors; `code` names the failure. */
export class ZkError extends KrainError {
  override name = 'ZkError'
  constructor(code: string, { shortMessage, details, cause }: ZkErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}

/** Parameters of the package's specific errors (the code is fixed by the class). */
export type ZkSpecificErrorParameters = ZkErrorParameters

/** `ZK_UNSUPPORTED_MODEL`: the model has no circuit (kind, activation) or does not fit its bit widths. */
export class ZkUnsupportedModelError extends ZkError {
  override name = 'ZkUnsupportedModelError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_UNSUPPORTED_MODEL', p)
  }
}

/** `ZK_MALFORMED_PROOF`: a proof or its public signals are not a well-formed Groth16 proof for the circuit (junk, not merely invalid). */
export class ZkMalformedProofError extends ZkError {
  override name = 'ZkMalformedProofError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_MALFORMED_PROOF', p)
  }
}

/** `ZK_ARTIFACT_INVALID`: a circuit artifact is missing, or its hash or parameters differ from the manifest. */
export class ZkArtifactError extends ZkError {
  override name = 'ZkArtifactError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_ARTIFACT_INVALID', p)
  }
}

/** `ZK_PROVING_FAILED`: the witness or the proof could not be computed (a worker failed). */
export class ZkProvingError extends ZkError {
  override name = 'ZkProvingError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_PROVING_FAILED', p)
  }
}

/** `ZK_SETUP_FAILED`: a trusted-setup step (phase 2 key, contribution, verification) failed. */
export class ZkSetupError extends ZkError {
  override name = 'ZkSetupError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_SETUP_FAILED', p)
  }
}

/**
 * `ZK_QUANTIZATION_UNSAFE`: the quantised model cannot be proven soundly: an intermediate value
 * could wrap the field or exceed a range check for some in-range input, a width given by the
 * caller is too small, or the quantised labels disagree with the float model too often.
 * `neededBits` is the width the offending value would need (when that is the cause).
 */
export class ZkQuantizationError extends ZkError {
  override name = 'ZkQuantizationError'
  readonly neededBits: number | undefined
  constructor(p: ZkSpecificErrorParameters & { neededBits?: number }) {
    super('ZK_QUANTIZATION_UNSAFE', p)
    this.neededBits = p.neededBits
  }
}

/** `ZK_CIRCUIT_BUILD_FAILED`: generating, compiling or setting up a model's circuit failed. */
export class ZkCircuitBuildError extends ZkError {
  override name = 'ZkCircuitBuildError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_CIRCUIT_BUILD_FAILED', p)
  }
}

/**
 * `ZK_CIRCUIT_TOO_LARGE`: the circuit needs more constraints than the largest available powers of
 * tau allows. `constraints` is the count (or estimate), `limit` the largest count available.
 */
export class ZkCircuitTooLargeError extends ZkError {
  override name = 'ZkCircuitTooLargeError'
  readonly constraints: number
  readonly limit: number
  constructor(p: ZkSpecificErrorParameters & { constraints: number; limit: number }) {
    super('ZK_CIRCUIT_TOO_LARGE', p)
    this.constraints = p.constraints
    this.limit = p.limit
  }
}

/** `ZK_PTAU_INVALID`: a powers-of-tau file is missing, malformed, or not one of the pinned files. */
export class ZkPtauError extends ZkError {
  override name = 'ZkPtauError'
  constructor(p: ZkSpecificErrorParameters) {
    super('ZK_PTAU_INVALID', p)
  }
}
