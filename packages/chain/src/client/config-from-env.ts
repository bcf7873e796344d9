/**
 * @module client/config-from-env
 * Read the chain configuration from the environment: `KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`,
 * `KRAIN_REGISTRY_ADDRESS`, `KRAIN_VERIFIERS`. Any EVM JSON-RPC works (anvil, Base Sepolia, Base).
 * The one parser of these variables: the gateway's configuration takes its chain part from here.
 */
import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { ChainError } from '../errors.js'

/** The chain configuration; every field is optional (no RPC means "start anvil"). */
export type ChainConfig = {
  rpcUrl?: string
  privateKey?: Hex
  registryAddress?: Address
  /** `ContractRegistry` address (`KRAIN_CONTRACT_REGISTRY_ADDRESS`; default: its CREATE2 address). */
  contractRegistryAddress?: Address
  /** Verifier address per circuit, to register new models on an existing registry (`KRAIN_VERIFIERS`, a JSON object). */
  verifiers?: Record<string, Address>
}

/**
 * Parse and validate `KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`, `KRAIN_REGISTRY_ADDRESS` and
 * `KRAIN_VERIFIERS` (`{"inference_logistic":"0x…"}`).
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
  const contractRegistry = env.KRAIN_CONTRACT_REGISTRY_ADDRESS?.trim()
  if (contractRegistry) {
    if (!isAddress(contractRegistry, { strict: false })) {
      throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: `KRAIN_CONTRACT_REGISTRY_ADDRESS is not an address: ${contractRegistry}` })
    }
    config.contractRegistryAddress = getAddress(contractRegistry)
  }
  const verifiers = env.KRAIN_VERIFIERS?.trim()
  if (verifiers) config.verifiers = parseVerifiers(verifiers)
  return config
}

function parseVerifiers(text: string): Record<string, Address> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'KRAIN_VERIFIERS is not JSON (expected {"<circuit>":"0x…"})', cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: 'KRAIN_VERIFIERS must be a JSON object {"<circuit>":"0x…"}' })
  const out: Record<string, Address> = {}
  for (const [circuit, address] of Object.entries(value)) {
    if (typeof address !== 'string' || !isAddress(address, { strict: false })) throw new ChainError('CHAIN_CONFIG_INVALID', { shortMessage: `KRAIN_VERIFIERS: the verifier of "${circuit}" is not an address` })
    out[circuit] = getAddress(address)
  }
  return out
}
