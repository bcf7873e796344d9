/**
 * @module registry/send-transaction
 * One registry transaction: simulate it (so a revert comes back decoded, as a typed
 * {@link ChainError}, before any gas is spent), send it, wait for the receipt. Typed by the
 * generated `as const` ABI: the function name and its arguments are checked against the
 * contract's Solidity signature at compile time.
 */
import { BaseError, encodeFunctionData, type Address, type Hex, type ContractFunctionName, type EncodeFunctionDataParameters, type Hash, type TransactionReceipt } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi } from '../generated/contracts.js'
import { toChainError } from './decode-error.js'

type RegistryAbi = typeof inferenceRegistryAbi

/** A state-changing function of `InferenceRegistry`. */
export type RegistryFunctionName = ContractFunctionName<RegistryAbi, 'nonpayable' | 'payable'>

/** Outcome of a mined registry transaction. */
export type TransactionResult = { hash: Hash; blockNumber: bigint; gasUsed: bigint }

/**
 * Simulate, send and wait for a registry call.
 * @param client - a client with a key
 * @param registry - the registry address
 * @param call - `{ abi: inferenceRegistryAbi, functionName, args }`, typed by the ABI
 * @param gas - explicit gas limit (default: estimated)
 * @returns the mined transaction and its receipt's logs
 * @throws ChainError the decoded revert, `CHAIN_NO_ACCOUNT`, `CHAIN_RPC_ERROR`
 * @example
 * ```ts
 * await sendRegistryTransaction(client, registry, { abi: inferenceRegistryAbi, functionName: 'setRegistrar', args: [account, true] })
 * ```
 */
export async function sendRegistryTransaction<const F extends RegistryFunctionName>(
  client: ChainClient,
  registry: Address,
  call: EncodeFunctionDataParameters<RegistryAbi, F>,
  gas?: bigint,
): Promise<TransactionResult & { logs: TransactionReceipt['logs'] }> {
  const wallet = requireWallet(client)
  const action = call.functionName
  let data: Hex
  try {
    data = encodeFunctionData<RegistryAbi, F>(call)
  } catch (cause) {
    throw new TypeError(`"args" of ${String(action)} do not match its Solidity signature: ${cause instanceof BaseError ? cause.shortMessage : String(cause)}`, { cause })
  }
  try {
    // eth_call first: a revert is decoded before any gas is spent
    await client.publicClient.call({ account: wallet.account, to: registry, data, ...(gas === undefined ? {} : { gas }) })
    const hash = await wallet.sendTransaction({ to: registry, data, ...(gas === undefined ? {} : { gas }) })
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `${action} reverted on chain (tx ${hash})` })
    return { hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, logs: receipt.logs }
  } catch (e) {
    throw toChainError(e, String(action))
  }
}
