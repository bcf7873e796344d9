/**
 * @module verifier/deploy-verifier
 * Deploy a Groth16 verifier once per chain: from its Solidity source (compiled with the pinned
 * solc), its creation bytecode, or the generated verifier of a shipped circuit. The deployment
 * goes through the deterministic-deployment proxy (CREATE2, salt 0), so the verifier's address
 * is a function of its bytecode alone: a verifier that is already deployed (by anyone, for any
 * registry) is found at that address and reused, and two models that share a verification key
 * share one verifier. On a chain without the proxy, the verifier is deployed with a plain CREATE
 * (no reuse).
 *
 * Source: https://github.com/Arachnid/deterministic-deployment-proxy (the proxy anvil, Base and
 * most EVM chains have at 0x4e59b44847b379578588920ca78fbf26c0b4956c)
 */
import { anObject } from '@krain/core'
import { concat, getAddress, getContractAddress, isHex, keccak256, zeroHash, type Address, type Hash, type Hex } from 'viem'
import { requireWallet, type ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { verifierCircuits, verifiers } from '../registry/artifacts.js'
import { toChainError } from '../registry/decode-error.js'
import { compileVerifier, hasVerifierInterface } from './compile-verifier.js'

/** The deterministic-deployment proxy: `salt ‖ initcode` in, `CREATE2(salt, initcode)` out. */
export const CREATE2_DEPLOYER: Address = '0x4e59b44847b379578588920ca78fbf26c0b4956c'

/** Where a verifier comes from: its source, its compiled artifact, or a shipped circuit's generated verifier. */
export type VerifierSource =
  | { solidity: string }
  | { artifact: { bytecode: Hex; abi?: readonly unknown[] } }
  | { circuit: string }

/** Parameters of {@link deployVerifier}. */
export type DeployVerifierParameters = { client: ChainClient } & VerifierSource

/** Outcome of {@link deployVerifier}. */
export type DeployVerifierReturnType = {
  address: Address
  /** keccak256 of the deployed runtime code. */
  codeHash: Hex
  /** True when the verifier was already deployed at its CREATE2 address (no transaction sent). */
  reused: boolean
  /** True when the address is the CREATE2 address of the bytecode (the proxy exists on this chain). */
  deterministic: boolean
  /** The deployment transaction, or null when reused. */
  hash: Hash | null
  /** Gas of the deployment transaction (0 when reused). */
  gasUsed: bigint
}

/** The creation bytecode of a verifier source. */
export function verifierBytecode(source: VerifierSource): Hex {
  const s = anObject(source, 'source')
  if ('solidity' in s) return compileVerifier(s.solidity as string).bytecode
  if ('artifact' in s) {
    const a = anObject(s.artifact, 'artifact')
    if (typeof a.bytecode !== 'string' || !isHex(a.bytecode, { strict: true }) || a.bytecode.length < 4 || a.bytecode.length % 2 !== 0) throw new TypeError('"artifact.bytecode" expected 0x-prefixed creation bytecode')
    if (a.abi !== undefined && (!Array.isArray(a.abi) || !hasVerifierInterface(a.abi))) {
      throw new ChainError('CHAIN_VERIFIER_INVALID', { shortMessage: 'the artifact’s ABI has no verifyProof(uint256[2], uint256[2][2], uint256[2], uint256[3]) returns (bool)' })
    }
    return a.bytecode
  }
  if ('circuit' in s) {
    const artifact = typeof s.circuit === 'string' ? verifiers()[s.circuit] : undefined
    if (!artifact) throw new RangeError(`"circuit" expected one of ${verifierCircuits().join(', ') || '(none generated yet)'}, got ${JSON.stringify(s.circuit)}`)
    return artifact.bytecode
  }
  throw new TypeError('"source" expected { solidity }, { artifact: { bytecode } } or { circuit }')
}

/** The address {@link deployVerifier} deploys `bytecode` to (CREATE2 through the proxy, salt 0). */
export function verifierAddress(bytecode: Hex): Address {
  return getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER, salt: zeroHash, bytecode })
}

/**
 * Deploy a verifier, or find it already deployed.
 *
 * @param parameters - `client` (with a key unless the verifier is already there) and one of
 *   `solidity`, `artifact: { bytecode, abi? }`, `circuit`
 * @returns its address and whether it was reused
 * @throws ChainError `CHAIN_COMPILE_FAILED` / `CHAIN_VERIFIER_INVALID` for a bad source;
 *   `CHAIN_NO_ACCOUNT` when a deployment is needed on a read-only client; `CHAIN_RPC_ERROR`, `CHAIN_TX_REVERTED`
 * @throws RangeError for an unknown `circuit`
 * @example
 * ```ts
 * const { address, reused } = await deployVerifier({ client, solidity: await zKey.exportSolidityVerifier(zkey, templates) })
 * await registerModel({ client, registry, modelCommitment, verifier: address, metadataURI })
 * ```
 */
export async function deployVerifier(parameters: DeployVerifierParameters): Promise<DeployVerifierReturnType> {
  anObject(parameters, 'parameters')
  const { client } = parameters
  const bytecode = verifierBytecode(parameters)
  const { publicClient } = client
  try {
    const proxy = await publicClient.getCode({ address: CREATE2_DEPLOYER })
    if (!proxy || proxy === '0x') {
      const wallet = requireWallet(client)
      const hash = await wallet.sendTransaction({ data: bytecode })
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success' || !receipt.contractAddress) throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `verifier deployment reverted (tx ${hash})` })
      const address = getAddress(receipt.contractAddress)
      return { address, codeHash: await codeHashAt(client, address), reused: false, deterministic: false, hash, gasUsed: receipt.gasUsed }
    }
    const address = verifierAddress(bytecode)
    const existing = await publicClient.getCode({ address })
    if (existing && existing !== '0x') return { address, codeHash: keccak256(existing), reused: true, deterministic: true, hash: null, gasUsed: 0n }
    const wallet = requireWallet(client)
    let hash: Hash
    try {
      hash = await wallet.sendTransaction({ to: CREATE2_DEPLOYER, data: concat([zeroHash, bytecode]) })
    } catch (e) {
      // a concurrent deployment of the same bytecode makes ours fail: the verifier is there all the same
      const now = await publicClient.getCode({ address })
      if (now && now !== '0x') return { address, codeHash: keccak256(now), reused: true, deterministic: true, hash: null, gasUsed: 0n }
      throw e
    }
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    const code = await publicClient.getCode({ address })
    if (receipt.status !== 'success' || !code || code === '0x') throw new ChainError('CHAIN_TX_REVERTED', { shortMessage: `verifier deployment through the CREATE2 proxy left no code at ${address} (tx ${hash})` })
    return { address, codeHash: keccak256(code), reused: false, deterministic: true, hash, gasUsed: receipt.gasUsed }
  } catch (e) {
    throw toChainError(e, 'deployVerifier')
  }
}

async function codeHashAt(client: ChainClient, address: Address): Promise<Hex> {
  const code = await client.publicClient.getCode({ address })
  return code ? keccak256(code) : keccak256('0x')
}
