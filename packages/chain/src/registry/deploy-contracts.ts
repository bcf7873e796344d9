/**
 * @module registry/deploy-contracts
 * Deploy `InferenceRegistry` and the generated Groth16 verifiers of the shipped circuits (the
 * same bytecode on anvil, Base Sepolia or Base). Verifiers go through {@link deployVerifier}, so
 * one already on the chain is reused.
 */
import { anArray, anObject } from '@krain/core'
import { getAddress, type Address } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { inferenceRegistryAbi, inferenceRegistryBytecode } from '../generated/contracts.js'
import { deployVerifier } from '../verifier/deploy-verifier.js'
import { verifierCircuits, verifiers } from './artifacts.js'
import { deployContractRegistry } from './contract-registry.js'
import { toChainError } from './decode-error.js'

/** Parameters of {@link deployContracts}. */
export type DeployContractsParameters = {
  client: ChainClient
  /** Circuits whose verifier to deploy (default: every generated verifier). */
  circuits?: readonly string[]
  /** Registry owner (default: the client's account). */
  owner?: Address
}

/** Addresses of the deployed contracts. */
export type DeployContractsReturnType = {
  registry: Address
  /** `ContractRegistry` (secret contracts' hashes; CREATE2, reused when already deployed). */
  contractRegistry: Address
  /** Verifier address by circuit name. */
  verifiers: Record<string, Address>
  /** Block of the registry deployment (start point for log queries). */
  blockNumber: bigint
  /** Gas used by each deployment, by contract name (0 for a verifier that was already deployed). */
  gasUsed: Record<string, bigint>
}

/**
 * Deploy the registry (owned by the client's account unless `owner` is given) and verifiers.
 *
 * @param parameters - `client` with a private key; `circuits` to choose verifiers
 * @returns the addresses, the registry's deployment block and gas used
 * @throws ChainError `CHAIN_NO_ACCOUNT` for a read-only client; `CHAIN_RPC_ERROR` / `CHAIN_TX_REVERTED`
 * @example
 * ```ts
 * const { registry, verifiers } = await deployContracts({ client })
 * ```
 */
export async function deployContracts(parameters: DeployContractsParameters): Promise<DeployContractsReturnType> {
  anObject(parameters, 'parameters')
  const { client } = parameters
  const wallet = requireWallet(client)
  const circuits = parameters.circuits === undefined ? verifierCircuits() : anArray<string>(parameters.circuits, 'circuits')
  const owner = parameters.owner ?? wallet.account.address
  let registry: { address: Address; blockNumber: bigint; gasUsed: bigint }
  try {
    const hash = await wallet.deployContract({ abi: inferenceRegistryAbi, bytecode: inferenceRegistryBytecode, args: [owner] })
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `deployment of InferenceRegistry reverted (tx ${hash})` })
    registry = { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }
  } catch (e) {
    throw toChainError(e, 'deploy InferenceRegistry')
  }
  const contractRegistry = await deployContractRegistry({ client })
  const out: DeployContractsReturnType = { registry: registry.address, contractRegistry: contractRegistry.address, verifiers: {}, blockNumber: registry.blockNumber, gasUsed: { InferenceRegistry: registry.gasUsed, ContractRegistry: contractRegistry.gasUsed } }
  for (const circuit of circuits) {
    const v = await deployVerifier({ client, circuit })
    out.verifiers[circuit] = v.address
    out.gasUsed[verifiers()[circuit]!.contractName] = v.gasUsed
  }
  return out
}
