/**
 * @module client/connect-chain
 * "Embedded by default, real chain when configured": with `KRAIN_RPC_URL` set, connect to that
 * chain (and the registry at `KRAIN_REGISTRY_ADDRESS`); without it, start anvil on a free
 * loopback port and deploy the contracts there.
 */
import type { Address } from 'viem'
import { startAnvil, type Anvil } from '../anvil/start-anvil.js'
import { ChainError } from '../errors.js'
import { deployContracts } from '../registry/deploy-contracts.js'
import { chainConfigFromEnv } from './config-from-env.js'
import { createChainClient, type ChainClient } from './create-chain-client.js'

/** Parameters of {@link connectChain}. */
export type ConnectChainParameters = {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>
  /** With an RPC but no registry address, deploy one (needs a private key). Default false. */
  deployIfMissing?: boolean
}

/** A connected chain with its registry. */
export type ConnectChainReturnType = {
  client: ChainClient
  /** The registry address, or null on a configured chain without `KRAIN_REGISTRY_ADDRESS`. */
  registry: Address | null
  /** Verifiers deployed by this call, by circuit name (empty when connecting to an existing registry). */
  verifiers: Record<string, Address>
  /** The embedded node, when one was started. */
  anvil: Anvil | null
  /** Stop the embedded node, if any. */
  stop: () => Promise<void>
}

/**
 * Connect to the configured chain, or start anvil and deploy.
 *
 * @param parameters - optional `env` and `deployIfMissing`
 * @returns client, registry address, deployed verifiers and `stop()`
 * @throws ChainError `CHAIN_CONFIG_INVALID`, `CHAIN_ANVIL_START_FAILED`, `CHAIN_RPC_ERROR`
 * @example
 * ```ts
 * const { client, registry, stop } = await connectChain()
 * try { … } finally { await stop() }
 * ```
 */
export async function connectChain(parameters: ConnectChainParameters = {}): Promise<ConnectChainReturnType> {
  const config = chainConfigFromEnv(parameters.env ?? process.env)
  if (config.rpcUrl) {
    const client = await createChainClient({ rpcUrl: config.rpcUrl, ...(config.privateKey ? { privateKey: config.privateKey } : {}) })
    let registry = config.registryAddress ?? null
    let verifiers: Record<string, Address> = {}
    if (!registry && parameters.deployIfMissing) {
      if (!client.walletClient) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'deploying needs KRAIN_PRIVATE_KEY' })
      const deployed = await deployContracts({ client })
      registry = deployed.registry
      verifiers = deployed.verifiers
    }
    return { client, registry, verifiers, anvil: null, stop: async () => {} }
  }
  const anvil = await startAnvil()
  try {
    const client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: config.privateKey ?? anvil.privateKeys[0]! })
    const deployed = await deployContracts({ client })
    return { client, registry: deployed.registry, verifiers: deployed.verifiers, anvil, stop: anvil.stop }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}
