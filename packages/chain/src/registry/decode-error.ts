/**
 * @module registry/decode-error
 * Turn a viem error from a registry call into a typed {@link ChainError}: a custom-error revert
 * (`InferenceRegistry__ProofAlreadyUsed`, ...) becomes its stable code; anything else becomes
 * `CHAIN_TX_REVERTED` (a revert without a known reason) or `CHAIN_RPC_ERROR`.
 */
import { BaseError, ContractFunctionRevertedError } from 'viem'
import { ChainError, REGISTRY_ERROR_CODES } from '../errors.js'

/**
 * Decode `e` into a {@link ChainError}; a `ChainError` passes through unchanged.
 * @param e - what a viem action threw
 * @param action - what was being done, for the message ("submitInference")
 * @returns the typed error (to be thrown by the caller)
 */
export function toChainError(e: unknown, action: string): ChainError {
  if (e instanceof ChainError) return e
  if (e instanceof BaseError) {
    const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) {
      const errorName = reverted.data?.errorName
      const args = reverted.data?.args
      if (errorName && errorName in REGISTRY_ERROR_CODES) {
        const code = REGISTRY_ERROR_CODES[errorName as keyof typeof REGISTRY_ERROR_CODES]
        return new ChainError(code, {
          shortMessage: `${action} reverted: ${errorName}`,
          details: args?.length ? `arguments: ${args.map(String).join(', ')}` : undefined,
          errorName,
          args,
          cause: e,
          status: code === 'CHAIN_NOT_OWNER' || code === 'CHAIN_NOT_AUTHORIZED' ? 403 : code === 'CHAIN_PROOF_ALREADY_USED' || code === 'CHAIN_MODEL_ALREADY_REGISTERED' ? 409 : 400,
        })
      }
      return new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${action} reverted${errorName ? `: ${errorName}` : reverted.reason ? `: ${reverted.reason}` : ''}`, errorName, args, cause: e })
    }
  }
  const message = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e)
  return new ChainError('CHAIN_RPC_ERROR', { shortMessage: `${action} failed: ${message}`, cause: e, status: 502 })
}
