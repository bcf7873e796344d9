/**
 * @module registry/deploy-contracts
 * Deploy `InferenceRegistry` and the generated Groth16 verifiers (the same bytecode on anvil,
 * Base Sepolia or Base).
 */
import { anArray, anObject } from '@krain/core'
import { getAddress, type Address, type Hex } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { groth16VerifierAbi, inferenceRegistryAbi, inferenceRegistryBytecode } from '../generated/contracts.js'
import { verifierCircuits, verifiers } from './artifacts.js'
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
  /** Verifier address by circuit name. */
  verifiers: Record<string, Address>
  /** Block of the registry deployment (start point for log queries). */
  blockNumber: bigint
  /** Gas used by each deployment, by contract name. */
  gasUsed: Record<string, bigint>
}

async function deploy(client: ChainClient, what: string, bytecode: Hex, args: readonly unknown[] | undefined, abi: readonly unknown[]): Promise<{ address: Address; blockNumber: bigint; gasUsed: bigint }> {
  const wallet = requireWallet(client)
  try {
    const hash = await wallet.deployContract({ abi: abi as typeof inferenceRegistryAbi, bytecode, args: args as [Address] })
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `deployment of ${what} reverted (tx ${hash})` })
    return { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }
  } catch (e) {
    throw toChainError(e, `deploy ${what}`)
  }
}

/**
 * Deploy a generated verifier.
 * @param parameters - `client` and `circuit` (e.g. `inference_logistic`)
 * @returns its address and deployment gas
 * @throws RangeError for a circuit without a generated verifier
 */
export async function deployVerifier({ client, circuit }: { client: ChainClient; circuit: string }): Promise<{ address: Address; gasUsed: bigint }> {
  const artifact = verifiers()[circuit]
  if (!artifact) throw new RangeError(`"circuit" expected one of ${verifierCircuits().join(', ') || '(none generated yet)'}, got ${JSON.stringify(circuit)}`)
  const { address, gasUsed } = await deploy(client, artifact.contractName, artifact.bytecode, undefined, groth16VerifierAbi)
  return { address, gasUsed }
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
  const reg = await deploy(client, 'InferenceRegistry', inferenceRegistryBytecode, [owner], inferenceRegistryAbi)
  const out: DeployContractsReturnType = { registry: reg.address, verifiers: {}, blockNumber: reg.blockNumber, gasUsed: { InferenceRegistry: reg.gasUsed } }
  for (const circuit of circuits) {
    const v = await deployVerifier({ client, circuit })
    out.verifiers[circuit] = v.address
    out.gasUsed[verifiers()[circuit]!.contractName] = v.gasUsed
  }
  return out
}
