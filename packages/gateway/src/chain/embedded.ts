/**
 * @module chain/embedded
 * The laptop setup: `@krain/chain`'s {@link connectChain} without an RPC URL, which starts anvil
 * (from `@foundry-rs/anvil`) on a free loopback port and deploys `InferenceRegistry` and the
 * Groth16 verifiers with its first dev account. The server starts it unless a chain is configured
 * or `KRAIN_CHAIN=none`.
 */
import { connectChain } from '@krain/chain'
import type { Address, Hex } from 'viem'

/** A running embedded chain. */
export type EmbeddedChain = { rpcUrl: string; privateKey: Hex; registryAddress: Address; verifiers: Record<string, Address>; stop: () => Promise<void> }

/**
 * Start anvil and deploy the contracts.
 * @returns the RPC URL, the deployer key (anvil's public dev key), addresses and `stop()`
 * @throws ChainError CHAIN_ANVIL_START_FAILED when anvil does not start
 * @example
 * ```ts
 * const chain = await startEmbeddedChain()
 * try { … } finally { await chain.stop() }
 * ```
 */
export async function startEmbeddedChain(): Promise<EmbeddedChain> {
  const c = await connectChain({ config: {} })
  const privateKey = c.anvil?.privateKeys[0]
  if (!c.anvil || !c.registry || !privateKey) {
    await c.stop()
    throw new Error('connectChain without an RPC URL did not start anvil') // unreachable: no RPC URL means anvil
  }
  return { rpcUrl: c.anvil.rpcUrl, privateKey, registryAddress: c.registry, verifiers: c.verifiers, stop: c.stop }
}
