/**
 * @module registries
 * Typed viem bindings of `contracts/src/GroupRegistry.sol` and `PolicyRegistry.sol` (the ABIs as
 * `parseAbi` signatures, so viem infers argument and result types), the deployment of both with
 * the membership verifier from the compiled artifacts, and the rebuilding of a group's off-chain
 * tree from its `MemberAdded` / `MemberRemoved` events (the contract stores roots, not leaves).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAbi, type Address, type Hex, type PublicClient, type WalletClient } from 'viem'
import { IdentityError } from '../errors.js'
import { Group } from '../membership/group.js'

/** ABI of `GroupRegistry`. */
export const groupRegistryAbi = parseAbi([
  'function groupCount() view returns (uint256)',
  'function isAdmin(uint256 groupId, address admin) view returns (bool)',
  'function rootReplacedAt(uint256 groupId, uint256 root) view returns (uint256)',
  'function isRoot(uint256 groupId, uint256 root) view returns (bool)',
  'function nullifierUsed(uint256 groupId, uint256 scope, uint256 nullifier) view returns (bool)',
  'function createGroup(address[] admins, address verifier, uint64 windowSeconds) returns (uint256 groupId)',
  'function setAdmin(uint256 groupId, address admin, bool enabled)',
  'function addMember(uint256 groupId, uint256 commitment, uint256 newRoot)',
  'function removeMember(uint256 groupId, uint256 index, uint256 commitment, uint256 newRoot)',
  'function getGroup(uint256 groupId) view returns (uint256 root, uint32 size, address verifier, uint64 windowSeconds)',
  'function verifyProof(uint256 groupId, uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[4] signals) view returns (bool)',
  'function validateProof(uint256 groupId, uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[4] signals)',
  'event GroupCreated(uint256 indexed groupId, address verifier, uint64 windowSeconds)',
  'event AdminSet(uint256 indexed groupId, address indexed admin, bool enabled)',
  'event MemberAdded(uint256 indexed groupId, uint256 index, uint256 commitment, uint256 root)',
  'event MemberRemoved(uint256 indexed groupId, uint256 index, uint256 commitment, uint256 root)',
  'event ProofValidated(uint256 indexed groupId, uint256 indexed scope, uint256 nullifier, uint256 message)',
  'error GroupRegistry__NotAdmin()',
  'error GroupRegistry__UnknownGroup()',
  'error GroupRegistry__BadCommitment()',
  'error GroupRegistry__UnknownRoot()',
  'error GroupRegistry__RootExpired()',
  'error GroupRegistry__NullifierUsed()',
  'error GroupRegistry__InvalidProof()',
])

/** ABI of `PolicyRegistry`. */
export const policyRegistryAbi = parseAbi([
  'function isApprover(bytes32 policyId, address approver) view returns (bool)',
  'function proposalCount() view returns (uint256)',
  'function hasApproved(uint256 proposalId, address approver) view returns (bool)',
  'function createPolicy(bytes32 policyId, bytes32 hash, address[] approvers, uint8 threshold)',
  'function propose(bytes32 policyId, bytes32 hash, address[] approvers, uint8 threshold) returns (uint256 proposalId)',
  'function approve(uint256 proposalId)',
  'function execute(uint256 proposalId)',
  'function getPolicy(bytes32 policyId) view returns (bytes32 hash, uint64 version, address[] approvers, uint8 threshold)',
  'event PolicyCreated(bytes32 indexed policyId, bytes32 hash, address[] approvers, uint8 threshold)',
  'event ChangeProposed(uint256 indexed proposalId, bytes32 indexed policyId, bytes32 hash, uint64 baseVersion, address proposer)',
  'event ChangeApproved(uint256 indexed proposalId, address indexed approver, uint8 approvals)',
  'event PolicyPublished(bytes32 indexed policyId, bytes32 hash, uint64 version, uint256 proposalId)',
  'error PolicyRegistry__Exists()',
  'error PolicyRegistry__UnknownPolicy()',
  'error PolicyRegistry__BadThreshold()',
  'error PolicyRegistry__NotApprover()',
  'error PolicyRegistry__AlreadyApproved()',
  'error PolicyRegistry__UnknownProposal()',
  'error PolicyRegistry__NotEnoughApprovals(uint8 approvals, uint8 threshold)',
  'error PolicyRegistry__Stale()',
  'error PolicyRegistry__Executed()',
])

/** Where `npm run compile -w @krain/contracts` writes the artifacts (monorepo layout). */
export const CONTRACT_ARTIFACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'contracts', 'artifacts')

function bytecodeOf(name: 'GroupRegistry' | 'PolicyRegistry' | 'MembershipVerifier'): Hex {
  const file = join(CONTRACT_ARTIFACTS_DIR, `${name}.json`)
  if (!existsSync(file)) throw new Error(`contract artifact ${name} missing: run npm run compile -w @krain/contracts (looked in ${file})`)
  return (JSON.parse(readFileSync(file, 'utf8')) as { bytecode: Hex }).bytecode
}

/** Parameters of {@link deployIdentityRegistries}. */
export type DeployIdentityRegistriesParameters = { publicClient: PublicClient; walletClient: WalletClient }

/**
 * Deploy `GroupRegistry` (which embeds `MembershipVerifier`) and `PolicyRegistry` (DEVELOPMENT-ONLY verifier setup).
 * @returns their addresses; `verifier` is the group registry's own address (a group's cheapest verifier)
 * @example
 * ```ts
 * const { groupRegistry, policyRegistry, verifier } = await deployIdentityRegistries({ publicClient, walletClient })
 * ```
 */
export async function deployIdentityRegistries({ publicClient, walletClient }: DeployIdentityRegistriesParameters): Promise<{ verifier: Address; groupRegistry: Address; policyRegistry: Address }> {
  const deploy = async (name: 'GroupRegistry' | 'PolicyRegistry' | 'MembershipVerifier'): Promise<Address> => {
    const hash = await walletClient.deployContract({ abi: [], bytecode: bytecodeOf(name), account: walletClient.account!, chain: walletClient.chain })
    const r = await publicClient.waitForTransactionReceipt({ hash })
    if (r.status !== 'success' || !r.contractAddress) throw new Error(`deploying ${name} failed`)
    return r.contractAddress
  }
  // GroupRegistry embeds the membership verifier: groups name the registry itself (or 0) as their verifier.
  const groupRegistry = await deploy('GroupRegistry')
  return { verifier: groupRegistry, groupRegistry, policyRegistry: await deploy('PolicyRegistry') }
}

/** Parameters of {@link readGroup}. */
export type ReadGroupParameters = { publicClient: PublicClient; registry: Address; groupId: bigint }

/**
 * Rebuild a group's tree from the registry's events and check it against the recorded root.
 * @returns the group, its on-chain root and window
 * @throws IdentityError `IDENTITY_UNKNOWN_ROOT` when the replayed tree's root differs from the contract's
 */
export async function readGroup({ publicClient, registry, groupId }: ReadGroupParameters): Promise<{ group: Group; root: bigint; windowSeconds: number }> {
  const [root, , , windowSeconds] = await publicClient.readContract({ address: registry, abi: groupRegistryAbi, functionName: 'getGroup', args: [groupId] })
  const [added, removed] = await Promise.all([
    publicClient.getContractEvents({ address: registry, abi: groupRegistryAbi, eventName: 'MemberAdded', args: { groupId }, fromBlock: 0n, toBlock: 'latest' }),
    publicClient.getContractEvents({ address: registry, abi: groupRegistryAbi, eventName: 'MemberRemoved', args: { groupId }, fromBlock: 0n, toBlock: 'latest' }),
  ])
  const events = [...added, ...removed].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex! - b.logIndex! : a.blockNumber! < b.blockNumber! ? -1 : 1))
  const group = await Group.create()
  for (const e of events) {
    if (e.eventName === 'MemberAdded') group.add(e.args.commitment!)
    else group.remove(Number(e.args.index!))
  }
  if (group.root !== root) throw new IdentityError({ code: 'IDENTITY_UNKNOWN_ROOT', shortMessage: `group ${groupId}: the tree rebuilt from events does not match the recorded root`, details: `events ${group.root}, contract ${root}` })
  return { group, root, windowSeconds: Number(windowSeconds) }
}
