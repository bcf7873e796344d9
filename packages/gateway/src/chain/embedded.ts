/**
 * @module chain/embedded
 * The laptop setup: an anvil node from `@foundry-rs/anvil` on a free loopback port, with
 * `InferenceRegistry` and the Groth16 verifiers deployed by its first dev account.
 */
import { createChainClient, deployContracts, startAnvil } from '@krain/chain'
import type { Address } from 'viem'

/** A running embedded chain. */
export type EmbeddedChain = { rpcUrl: string; privateKey: `0x${string}`; registryAddress: Address; verifiers: Record<string, Address>; stop: () => Promise<void> }

/**
 * Start anvil and deploy the contracts.
 * @param port - anvil's port (0: any free port)
 * @returns the RPC URL, the deployer key (anvil's public dev key), addresses and `stop()`
 */
export async function startEmbeddedChain({ port = 0 }: { port?: number } = {}): Promise<EmbeddedChain> {
  const anvil = await startAnvil({ port })
  try {
    const privateKey = anvil.privateKeys[0]!
    const client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey })
    const { registry, verifiers } = await deployContracts({ client })
    return { rpcUrl: anvil.rpcUrl, privateKey, registryAddress: registry, verifiers, stop: () => anvil.stop() }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}
