/**
 * @module verify-request
 * The policy check a gateway runs on a proof-authenticated request: valid proof, the digest of
 * THIS request, the expected (group, scope), an acceptable root, and at most `maxUses` uses of the
 * nullifier in that scope ("any member of G may run M at most N times per epoch").
 */
import { aPositiveInt } from '@krain/core'
import { IdentityError } from '../errors.js'
import type { NullifierStore } from './nullifier-store.js'
import { toField, verifyMembershipProof, type MembershipProof } from './prove.js'
import type { RootHistory } from './root-history.js'

/** Parameters of {@link verifyMembershipRequest}. */
export type VerifyMembershipRequestParameters = {
  proof: MembershipProof
  /** The digest of the request being served (recomputed by the verifier, never taken from the proof). */
  message: string | Uint8Array | bigint
  groupId: bigint
  /** Expected scope tag, e.g. `model:7:epoch:42`. */
  scope: string | bigint
  roots: RootHistory
  nullifiers: NullifierStore
  /** Uses allowed per nullifier in the scope (default 1). */
  maxUses?: number
  /** Current time in seconds (default: now). */
  now?: number
}

/**
 * Check a membership-authenticated request and consume one use of its nullifier.
 * @returns the number of uses so far (1..maxUses)
 * @throws IdentityError `IDENTITY_MESSAGE_MISMATCH`, `IDENTITY_SCOPE_MISMATCH`, `IDENTITY_UNKNOWN_ROOT`,
 *   `IDENTITY_ROOT_EXPIRED`, `IDENTITY_BAD_PROOF`, `IDENTITY_NULLIFIER_EXHAUSTED`
 */
export async function verifyMembershipRequest({ proof, message, groupId, scope, roots, nullifiers, maxUses = 1, now = Math.floor(Date.now() / 1000) }: VerifyMembershipRequestParameters): Promise<number> {
  aPositiveInt(maxUses, 'maxUses')
  if (proof.message !== toField(message).toString()) throw new IdentityError({ code: 'IDENTITY_MESSAGE_MISMATCH', shortMessage: 'the proof binds another request digest' })
  const tag = typeof scope === 'bigint' ? scope.toString() : scope
  if (proof.groupId !== groupId.toString() || proof.scopeTag !== tag) throw new IdentityError({ code: 'IDENTITY_SCOPE_MISMATCH', shortMessage: 'the proof is for another group or scope' })
  roots.assertAcceptable(proof.merkleRoot, now)
  if (!(await verifyMembershipProof(proof))) throw new IdentityError({ code: 'IDENTITY_BAD_PROOF', shortMessage: 'the membership proof does not verify' })
  const n = await nullifiers.consume({ groupId: proof.groupId, scope: proof.scope, nullifier: proof.nullifier }, maxUses)
  if (n === undefined) throw new IdentityError({ code: 'IDENTITY_NULLIFIER_EXHAUSTED', shortMessage: `the nullifier was already used ${maxUses} time(s) in this scope` })
  return n
}
