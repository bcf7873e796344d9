/**
 * @module errors
 * Errors of `@krain/chain`. Every one is a `KrainError` with a stable `code` (no transport: the
 * gateway maps codes to HTTP statuses); reverts of `InferenceRegistry` are decoded into the codes
 * of {@link REGISTRY_ERROR_CODES}.
 */
import { KrainError } from '@krain/core'

/** Stable codes of {@link ChainError}. */
export type ChainErrorCode =
  | 'CHAIN_CONFIG_INVALID'
  | 'CHAIN_ANVIL_START_FAILED'
  | 'CHAIN_NO_ACCOUNT'
  | 'CHAIN_RPC_ERROR'
  | 'CHAIN_TX_REVERTED'
  | 'CHAIN_NOT_OWNER'
  | 'CHAIN_NOT_AUTHORIZED'
  | 'CHAIN_ZERO_ADDRESS'
  | 'CHAIN_NOT_A_CONTRACT'
  | 'CHAIN_INVALID_BATCH_SIZE'
  | 'CHAIN_MODEL_ALREADY_REGISTERED'
  | 'CHAIN_MODEL_NOT_REGISTERED'
  | 'CHAIN_BATCH_NOT_SUPPORTED'
  | 'CHAIN_PUBLIC_INPUT_NOT_IN_FIELD'
  | 'CHAIN_PROOF_ALREADY_USED'
  | 'CHAIN_INVALID_PROOF'
  | 'CHAIN_RECORD_NOT_FOUND'
  | 'CHAIN_PROOF_NOT_RECOVERABLE'
  | 'CHAIN_UNKNOWN_VERIFIER'
  | 'CHAIN_COMPILE_FAILED'
  | 'CHAIN_VERIFIER_INVALID'
  | 'CHAIN_CONTRACT_HASH_OWNED'
  | 'CHAIN_CONTRACT_ZERO_HASH'

/** Custom errors of `InferenceRegistry` and the code each one maps to. */
export const REGISTRY_ERROR_CODES = {
  InferenceRegistry__NotOwner: 'CHAIN_NOT_OWNER',
  InferenceRegistry__NotAuthorized: 'CHAIN_NOT_AUTHORIZED',
  InferenceRegistry__ZeroAddress: 'CHAIN_ZERO_ADDRESS',
  InferenceRegistry__NotAContract: 'CHAIN_NOT_A_CONTRACT',
  InferenceRegistry__InvalidBatchSize: 'CHAIN_INVALID_BATCH_SIZE',
  InferenceRegistry__ModelAlreadyRegistered: 'CHAIN_MODEL_ALREADY_REGISTERED',
  InferenceRegistry__ModelNotRegistered: 'CHAIN_MODEL_NOT_REGISTERED',
  InferenceRegistry__BatchNotSupported: 'CHAIN_BATCH_NOT_SUPPORTED',
  InferenceRegistry__PublicInputNotInField: 'CHAIN_PUBLIC_INPUT_NOT_IN_FIELD',
  InferenceRegistry__ProofAlreadyUsed: 'CHAIN_PROOF_ALREADY_USED',
  InferenceRegistry__InvalidProof: 'CHAIN_INVALID_PROOF',
  ContractRegistry__NotHashOwner: 'CHAIN_CONTRACT_HASH_OWNED',
  ContractRegistry__ZeroHash: 'CHAIN_CONTRACT_ZERO_HASH',
} as const satisfies Record<string, ChainErrorCode>

/** Parameters of {@link ChainError}. */
export type ChainErrorParameters = {
  shortMessage: string
  details?: string
  cause?: unknown
  /** The Solidity custom error's name, when the failure is a decoded revert. */
  errorName?: string
  /** The custom error's arguments, when the failure is a decoded revert. */
  args?: readonly unknown[]
}

/**
 * A failure talking to the chain or a revert of the registry, with a stable `code`.
 *
 * @example
 * ```ts
 * try { await submitInference({ client, registry, calldata }) }
 * catch (e) { if (e instanceof ChainError && e.code === 'CHAIN_PROOF_ALREADY_USED') console.log('already recorded') }
 * ```
 */
export class ChainError extends KrainError {
  override name = 'ChainError'
  declare readonly code: ChainErrorCode
  readonly errorName: string | undefined
  readonly args: readonly unknown[] | undefined

  constructor(code: ChainErrorCode, { shortMessage, details, cause, errorName, args }: ChainErrorParameters) {
    super({ code, shortMessage, details, cause })
    this.errorName = errorName
    this.args = args
  }
}
