/**
 * @module identity/group-roots
 * Revocation as the gateway sees it: a proof's root must be its group's current root in
 * `GroupRegistry`, or a root the group had that was replaced less than the group's window ago,
 * measured on the chain's clock (the latest block's timestamp), exactly as the contract's
 * `_checkRoot` does. Read on every anonymous request (one `eth_call` when the root is current).
 */
import type { Address, PublicClient } from 'viem'
import { groupRegistryAbi, IdentityError } from '@krain/identity'

/** Checks proof roots against `GroupRegistry`. */
export class GroupRoots {
  constructor(private readonly client: PublicClient, private readonly registry: Address) {}

  /**
   * Accept `root` for `groupId` or throw.
   * @throws IdentityError `IDENTITY_UNKNOWN_ROOT` (never a root of the group, or no such group) or `IDENTITY_ROOT_EXPIRED`
   */
  async assertAcceptable(groupId: bigint, root: bigint): Promise<void> {
    let current: bigint, windowSeconds: bigint
    try {
      ;[current, , , windowSeconds] = await this.client.readContract({ address: this.registry, abi: groupRegistryAbi, functionName: 'getGroup', args: [groupId] })
    } catch (cause) {
      if (String((cause as Error).message).includes('GroupRegistry__UnknownGroup')) throw new IdentityError({ code: 'IDENTITY_UNKNOWN_ROOT', shortMessage: `group ${groupId} does not exist in the registry` })
      throw cause
    }
    if (root === current) return
    const [known, replacedAt, block] = await Promise.all([
      this.client.readContract({ address: this.registry, abi: groupRegistryAbi, functionName: 'isRoot', args: [groupId, root] }),
      this.client.readContract({ address: this.registry, abi: groupRegistryAbi, functionName: 'rootReplacedAt', args: [groupId, root] }),
      this.client.getBlock({ blockTag: 'latest' }),
    ])
    if (!known) throw new IdentityError({ code: 'IDENTITY_UNKNOWN_ROOT', shortMessage: 'the proof is for a root this group never had' })
    if (block.timestamp >= replacedAt + windowSeconds) throw new IdentityError({ code: 'IDENTITY_ROOT_EXPIRED', shortMessage: 'the proof is for a root replaced longer ago than the group window (a removed member, or a stale tree)', details: `replaced at ${replacedAt}, chain time ${block.timestamp}, window ${windowSeconds} s` })
  }
}
