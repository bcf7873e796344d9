/**
 * @module registry/decode-error
 * Turn a viem error from a registry call into a typed {@link ChainError}: a custom-error revert
 * (`InferenceRegistry__ProofAlreadyUsed`, ...) becomes its stable code; anything else becomes
 * `CHAIN_TX_REVERTED` (a revert without a known reason) or `CHAIN_RPC_ERROR`.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, isHex, type Hex } from 'viem'
import { ChainError, REGISTRY_ERROR_CODES } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'

type RegistryErrorName = keyof typeof REGISTRY_ERROR_CODES

function isRegistryErrorName(name: string | undefined): name is RegistryErrorName {
  return name !== undefined && Object.hasOwn(REGISTRY_ERROR_CODES, name)
}

/** The custom error in revert data, decoded with the registry's ABI (null when it is not one of its errors). */
function decodeRevertData(data: Hex): { errorName: string; args: readonly unknown[] } | null {
  try {
    const { errorName, args } = decodeErrorResult({ abi: inferenceRegistryAbi, data })
    return { errorName, args: args ?? [] }
  } catch {
    return null
  }
}

/** The revert data carried by the innermost error, if any. */
function revertData(e: BaseError): Hex | undefined {
  const inner: unknown = e.walk()
  if (typeof inner !== 'object' || inner === null || !('data' in inner)) return undefined
  const data: unknown = inner.data
  const hex = typeof data === 'object' && data !== null && 'data' in data ? data.data : data
  return typeof hex === 'string' && isHex(hex) ? hex : undefined
}

/**
 * Decode `e` into a {@link ChainError}; a `ChainError` passes through unchanged.
 * @param e - what a viem action threw
 * @param action - what was being done, for the message ("submitInference")
 * @returns the typed error (to be thrown by the caller)
 */
export function toChainError(e: unknown, action: string): ChainError {
  if (e instanceof ChainError) return e
  if (e instanceof BaseError) {
    let reverted: { errorName: string | undefined; args: readonly unknown[] | undefined; reason: string | undefined } | null = null
    const fn = e.walk((x) => x instanceof ContractFunctionRevertedError)
    if (fn instanceof ContractFunctionRevertedError) reverted = { errorName: fn.data?.errorName, args: fn.data?.args, reason: fn.reason }
    else {
      // eth_call / eth_estimateGas of raw calldata: the revert data is on the innermost error (as viem's call reads it)
      const data = revertData(e)
      if (data !== undefined) {
        const decoded = data.length >= 10 ? decodeRevertData(data) : null
        reverted = { errorName: decoded?.errorName, args: decoded?.args, reason: undefined }
      }
    }
    if (reverted) {
      const { errorName, args } = reverted
      if (isRegistryErrorName(errorName)) {
        return new ChainError(REGISTRY_ERROR_CODES[errorName], {
          shortMessage: `${action} reverted: ${errorName}`,
          details: args?.length ? `arguments: ${args.map(String).join(', ')}` : undefined,
          errorName,
          args,
          cause: e,
        })
      }
      return new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${action} reverted${errorName ? `: ${errorName}` : reverted.reason ? `: ${reverted.reason}` : ''}`, errorName, args, cause: e })
    }
  }
  const message = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e)
  return new ChainError('CHAIN_RPC_ERROR', { shortMessage: `${action} failed: ${message}`, cause: e })
}
