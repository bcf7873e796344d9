/**
 * @module chain/embedded
 * The laptop setup: `@krain/chain`'s {@link connectChain} without an RPC URL, which starts anvil
 * (from `@foundry-rs/anvil`) on a free loopback port and deploys `InferenceRegistry` and the
 * Groth16 verifiers with its first dev account; then the identity contracts (`MembershipVerifier`,
 * `GroupRegistry`, `PolicyRegistry`, from `@krain/identity`), so `krain group create|add|prove`
 * and on-chain policies work against the same chain. The server starts it unless a chain is
 * configured or `KRAIN_CHAIN=none`.
 */
import { connectChain } from '@krain/chain'
import { deployIdentityRegistries } from '@krain/identity'
import type { Address, Hex } from 'viem'

/** The identity contracts deployed on the embedded chain. */
export type EmbeddedIdentityContracts = { verifier: Address; groupRegistry: Address; policyRegistry: Address }

/** A running embedded chain. */
export type EmbeddedChain = { rpcUrl: string; privateKey: Hex; registryAddress: Address; verifiers: Record<string, Address>; identity: EmbeddedIdentityContracts; stop: () => Promise<void> }

/**
 * Start anvil and deploy the contracts.
 * @returns the RPC URL, the deployer key (anvil's public dev key), addresses and `stop()`
 * @throws ChainError CHAIN_ANVIL_START_FAILED when anvil does not start
 * @throws {Error} when a contract artifact is missing (`npm run compile -w @krain/contracts`); anvil is stopped
 * @example
 * ```ts
 * const chain = await startEmbeddedChain()
 * try { … } finally { await chain.stop() }
 * ```
 */
export async function startEmbeddedChain(): Promise<EmbeddedChain> {
  const c = await connectChain({ config: {} })
  const privateKey = c.anvil?.privateKeys[0]
  if (!c.anvil || !c.registry || !privateKey || !c.client.walletClient) {
    await c.stop()
    throw new Error('connectChain without an RPC URL did not start anvil') // unreachable: no RPC URL means anvil
  }
  let identity: EmbeddedIdentityContracts
  try {
    identity = await deployIdentityRegistries({ publicClient: c.client.publicClient as never, walletClient: c.client.walletClient as never })
  } catch (e) {
    await c.stop()
    throw e
  }
  return { rpcUrl: c.anvil.rpcUrl, privateKey, registryAddress: c.registry, verifiers: c.verifiers, identity, stop: c.stop }
}
