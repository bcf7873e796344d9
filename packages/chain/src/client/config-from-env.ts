/**
 * @module client/config-from-env
 * Read the chain configuration from the environment: `KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`,
 * `KRAIN_REGISTRY_ADDRESS`. Any EVM JSON-RPC works (anvil, Base Sepolia, Base).
 */
import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { ChainError } from '../errors.js'

/** The chain configuration; every field is optional (no RPC means "start anvil"). */
export type ChainConfig = {
  rpcUrl?: string
  privateKey?: Hex
  registryAddress?: Address
}

/**
 * Parse and validate `KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY` and `KRAIN_REGISTRY_ADDRESS`.
 *
 * @param env - the environment (default `process.env`)
 * @returns the configuration, with absent or empty variables left out
 * @throws ChainError `CHAIN_CONFIG_INVALID` naming the malformed variable (never echoing a key)
 * @example
 * ```ts
 * const { rpcUrl, privateKey, registryAddress } = chainConfigFromEnv()
 * ```
 */
export function chainConfigFromEnv(env: Record<string, string | undefined> = process.env): ChainConfig {
  const config: ChainConfig = {}
  const rpcUrl = env.KRAIN_RPC_URL?.trim()
  if (rpcUrl) {
    let url: URL
    try {
      url = new URL(rpcUrl)
    } catch (cause) {
      throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'KRAIN_RPC_URL is not a URL', cause })
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
      throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: `KRAIN_RPC_URL must be http(s) or ws(s), got ${url.protocol}` })
    }
    config.rpcUrl = rpcUrl
  }
  const key = env.KRAIN_PRIVATE_KEY?.trim()
  if (key) {
    const hex = key.startsWith('0x') ? key : `0x${key}`
    if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
      throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'KRAIN_PRIVATE_KEY must be 32 bytes of hex' })
    }
    config.privateKey = hex as Hex
  }
  const registry = env.KRAIN_REGISTRY_ADDRESS?.trim()
  if (registry) {
    if (!isAddress(registry, { strict: false })) {
      throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: `KRAIN_REGISTRY_ADDRESS is not an address: ${registry}` })
    }
    config.registryAddress = getAddress(registry)
  }
  return config
}
