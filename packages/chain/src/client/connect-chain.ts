/**
 * @module client/connect-chain
 * "Embedded by default, real chain when configured": with `KRAIN_RPC_URL` set, connect to that
 * chain (and the registry at `KRAIN_REGISTRY_ADDRESS`); without it, start anvil on a free
 * loopback port and deploy the contracts there. The one implementation of that fallback: the
 * gateway's embedded chain is this with an empty configuration.
 */
import type { Address } from 'viem'
import { startAnvil, type Anvil } from '../anvil/start-anvil.js'
import { ChainError } from '../errors.js'
import { deployContracts } from '../registry/deploy-contracts.js'
import { chainConfigFromEnv, type ChainConfig } from './config-from-env.js'
import { createChainClient, type ChainClient } from './create-chain-client.js'

/** Parameters of {@link connectChain}. */
export type ConnectChainParameters = {
  /** Environment to read (default `process.env`); ignored when `config` is given. */
  env?: Record<string, string | undefined>
  /** An already parsed configuration (see {@link chainConfigFromEnv}), instead of `env`. */
  config?: ChainConfig
  /** Without an RPC URL, start anvil and deploy (default true); false: that is a `CHAIN_CONFIG_INVALID` error. */
  embedded?: boolean
  /** With an RPC but no registry address, deploy one (needs a private key). Default false. */
  deployIfMissing?: boolean
}

/** A connected chain with its registry. */
export type ConnectChainReturnType = {
  client: ChainClient
  /** The registry address, or null on a configured chain without `KRAIN_REGISTRY_ADDRESS`. */
  registry: Address | null
  /** Verifiers by circuit name: deployed by this call, else the configured ones (`KRAIN_VERIFIERS`, possibly empty). */
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
  const config = parameters.config ?? chainConfigFromEnv(parameters.env ?? process.env)
  if (config.rpcUrl) {
    const client = await createChainClient({ rpcUrl: config.rpcUrl, ...(config.privateKey ? { privateKey: config.privateKey } : {}) })
    let registry = config.registryAddress ?? null
    let verifiers: Record<string, Address> = { ...config.verifiers }
    if (!registry && parameters.deployIfMissing) {
      if (!client.walletClient) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'deploying needs KRAIN_PRIVATE_KEY' })
      const deployed = await deployContracts({ client })
      registry = deployed.registry
      verifiers = deployed.verifiers
    }
    return { client, registry, verifiers, anvil: null, stop: async () => {} }
  }
  if (parameters.embedded === false) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'no chain configured (KRAIN_RPC_URL) and the embedded chain is off' })
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
