/**
 * @module group
 * A group: a `@zk-kit/lean-imt` Merkle tree of identity commitments with Poseidon(2), the tree
 * Semaphore v4 uses (a node with no right sibling is carried up unhashed, so depth = ceil(log2 n)).
 * Removal sets a leaf to 0 (the root changes, the member can no longer prove).
 */
import { LeanIMT } from '@zk-kit/lean-imt'
import { aFieldElement, aNonNegativeInt } from '@krain/core'
import { IdentityError } from '../errors.js'
import { getPoseidon, poseidonSync, SNARK_FIELD } from './poseidon.js'

/** Largest tree depth the membership circuit accepts. */
export const MAX_DEPTH = 20

/** A Merkle inclusion proof of one leaf. */
export type MerkleProof = { root: bigint; leaf: bigint; index: number; siblings: bigint[] }

/** A group of identity commitments. Create with {@link Group.create}. */
export class Group {
  readonly #tree: LeanIMT<bigint>
  private constructor(members: readonly bigint[]) {
    this.#tree = new LeanIMT<bigint>((a, b) => poseidonSync([a, b]), [...members])
  }

  /**
   * Build a group (Poseidon is built first).
   * @param members - initial commitments (field elements, non-zero)
   * @returns the group
   * @throws RangeError on a commitment outside the field or zero
   * @example
   * ```ts
   * const g = await Group.create([alice.commitment, bob.commitment])
   * ```
   */
  static async create(members: readonly bigint[] = []): Promise<Group> {
    await getPoseidon()
    members.forEach((m, i) => checkMember(m, `members[${i}]`))
    if (members.length > 2 ** MAX_DEPTH) throw new IdentityError({ code: 'IDENTITY_TREE_TOO_DEEP', shortMessage: `a group holds at most 2^${MAX_DEPTH} members` })
    return new Group(members)
  }

  /** The current root (0 for an empty group). */
  get root(): bigint { return this.#tree.size === 0 ? 0n : this.#tree.root }
  /** The current depth. */
  get depth(): number { return this.#tree.depth }
  /** Number of leaves (removed ones count, as zeros). */
  get size(): number { return this.#tree.size }
  /** The leaves (a removed member is 0). */
  get members(): bigint[] { return [...this.#tree.leaves] }

  /** Index of a commitment, or -1. */
  indexOf(commitment: bigint): number { return commitment === 0n ? -1 : this.#tree.indexOf(commitment) }

  /**
   * Add a member.
   * @param commitment - the identity commitment
   * @throws IdentityError `IDENTITY_TREE_TOO_DEEP` when the tree would exceed depth 20
   */
  add(commitment: bigint): void {
    checkMember(commitment, 'commitment')
    if (this.#tree.size >= 2 ** MAX_DEPTH) throw new IdentityError({ code: 'IDENTITY_TREE_TOO_DEEP', shortMessage: `a group holds at most 2^${MAX_DEPTH} members` })
    this.#tree.insert(commitment)
  }

  /**
   * Remove the member at an index (its leaf becomes 0).
   * @param index - leaf index
   * @throws RangeError if no such leaf or already removed
   */
  remove(index: number): void {
    aNonNegativeInt(index, 'index')
    if (index >= this.#tree.size || this.#tree.leaves[index] === 0n) throw new RangeError(`"index" expected a current member's index, got ${index}`)
    this.#tree.update(index, 0n)
  }

  /**
   * Merkle proof of the member at an index.
   * @param index - leaf index
   * @returns root, leaf, index bits (lean-imt compressed) and siblings
   * @throws IdentityError `IDENTITY_NOT_MEMBER` for a removed or absent leaf
   */
  proof(index: number): MerkleProof {
    aNonNegativeInt(index, 'index')
    if (index >= this.#tree.size || this.#tree.leaves[index] === 0n) throw new IdentityError({ code: 'IDENTITY_NOT_MEMBER', shortMessage: `no member at index ${index}` })
    const p = this.#tree.generateProof(index)
    return { root: p.root, leaf: p.leaf, index: p.index, siblings: [...p.siblings] }
  }
}

function checkMember(m: unknown, name: string): bigint {
  const v = aFieldElement(m, name, SNARK_FIELD)
  if (v === 0n) throw new RangeError(`"${name}" expected a non-zero commitment, got 0`)
  return v
}
