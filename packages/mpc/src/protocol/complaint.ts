/**
 * @module complaint
 * Blaming a dealer, not the recipient. A dealer's share to each recipient is committed
 * twice over and signed: its upload's manifest, signed by the dealer, holds SHA-256 of each
 * ciphertext, and each ciphertext starts with SHA-256 of the pairwise AES key it is sealed under
 * (see `keyCommitment`). AES-GCM decryption under a fixed key is a function of the ciphertext, so
 * (signed ciphertext hash, key commitment) binds the dealer to one plaintext share per recipient
 * while hiding it. A recipient whose share does not open, or opens to a vector of the wrong size,
 * reveals that one key; anyone can then check that the dealer signed that ciphertext, that the key
 * is the one the dealer committed to, and that the ciphertext really is invalid under it. An honest
 * dealer cannot be framed: its ciphertext opens under its committed key, and no other key matches
 * the commitment (SHA-256 preimage resistance).
 *
 * Why not Feldman or Pedersen VSS: the shares live in two 31-bit prime fields, and a discrete
 * logarithm in a group of order ≈ 2^31 takes ≈ 2^16 steps, so such commitments would reveal the
 * dealer's polynomial; moving the shares to a 256-bit group would cost L·t exponentiations per
 * dealer. What these commitments do not catch: a dealer that sends a *well-formed* share which
 * lies off its polynomial. The recipient cannot tell alone; the inconsistency shows up later in
 * its sum-share, where reconstruction names that holder. Attributing that case needs a blinded
 * consistency check (each dealer also shares a random blinder; recipients publish
 * blinder + Σ wᵢ·shareᵢ for a public random w), an extra message per round not built yet.
 *
 * What stays unprovable: a ciphertext whose key commitment is not the commitment of the pairwise
 * X25519 key (the dealer used another key). The recipient sees it, but a third party cannot check
 * which key is the agreed one without a DLEQ proof on X25519; the verdict is then `unproven`.
 */
import { MpcError } from '../errors.js'
import { messageDigest, sha256HexOfBytes } from '../crypto/digest.js'
import { fromBase64 } from '#crypto-backend'
import { recoverSigner } from '../crypto/identity.js'
import { KEY_COMMITMENT_BYTES, keyCommitment, openBytes, shareAad } from '../crypto/share-encryption.js'
import { partyIndex } from './session.js'
import { parsePartyMessage, sharesDigest, vectorBytes } from './messages.js'
import type { Address, DealerComplaint, SessionConfig } from './types.js'

/** Digest a dealer complaint signs. */
export function complaintDigest(c: Omit<DealerComplaint, 'type' | 'signature'>): Uint8Array {
  return messageDigest('dealer-complaint', [c.sessionId, c.from, c.dealer, sha256HexOfBytes(c.ciphertext), c.manifest, c.dealerSignature, c.key])
}

/** Outcome of {@link verifyDealerComplaint}. */
export type DealerComplaintVerdict = {
  /** `dealer`: the dealer signed an invalid share; `complainant`: the share was valid (a false complaint); `unproven`: see the module notes. */
  verdict: 'dealer' | 'complainant' | 'unproven'
  dealer: Address
  complainant: Address
  reason: string
}

/** What a recipient's share ciphertext holds, checked against the dealer's key commitment. */
export function openCommittedShare(ciphertext: Uint8Array, key: Uint8Array, sessionId: string, from: string, to: string, length: number): { committed: boolean; share: Uint8Array | null } {
  if (ciphertext.length < KEY_COMMITMENT_BYTES) return { committed: false, share: null }
  const expected = keyCommitment(key)
  let diff = 0
  for (let i = 0; i < KEY_COMMITMENT_BYTES; i++) diff |= ciphertext[i]! ^ expected[i]!
  const committed = diff === 0
  if (!committed) return { committed, share: null }
  const plain = openBytes(key, ciphertext.subarray(KEY_COMMITMENT_BYTES), shareAad(sessionId, 'share', from, to))
  return { committed, share: plain && plain.length === vectorBytes(length) ? plain : null }
}

/**
 * Check a dealer complaint: who misbehaved?
 * @param params - the complaint and the session configuration
 * @returns the verdict (`dealer`, `complainant` or `unproven`) with the reason
 * @throws `MPC_MALFORMED_MESSAGE` on a malformed complaint; `MPC_WRONG_SESSION`; `MPC_UNKNOWN_PARTY`
 *   when either side is not a party; `MPC_BAD_SIGNATURE` when the complaint is not signed by its
 *   sender, or the evidence is not signed by the dealer (then it proves nothing)
 * @example
 * ```ts
 * const { verdict } = verifyDealerComplaint({ complaint, config }) // 'dealer'
 * ```
 */
export function verifyDealerComplaint({ complaint, config }: { complaint: unknown; config: SessionConfig }): DealerComplaintVerdict {
  const c = parsePartyMessage(complaint, config)
  if (c.type !== 'dealer-complaint') throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage: 'expected a dealer-complaint message' })
  if (c.sessionId !== config.sessionId) throw new MpcError('MPC_WRONG_SESSION', { shortMessage: 'complaint is for another session' })
  if (partyIndex(config, c.from) === 0 || partyIndex(config, c.dealer) === 0 || c.from === c.dealer) throw new MpcError('MPC_UNKNOWN_PARTY', { shortMessage: 'complainant and dealer must be two parties of the session' })
  if (recoverSigner(complaintDigest(c), c.signature) !== c.from) throw new MpcError('MPC_BAD_SIGNATURE', { shortMessage: `dealer-complaint: signature is not by ${c.from}` })
  if (recoverSigner(sharesDigest(c.sessionId, c.dealer, c.manifest), c.dealerSignature) !== c.dealer) throw new MpcError('MPC_BAD_SIGNATURE', { shortMessage: `dealer-complaint: the manifest is not signed by the dealer ${c.dealer}` })
  const entry = c.manifest.find(([to]) => to === c.from)
  if (!entry || entry[1] !== sha256HexOfBytes(c.ciphertext)) throw new MpcError('MPC_BAD_SIGNATURE', { shortMessage: 'dealer-complaint: the dealer did not sign this ciphertext for the complainant' })
  const base = { dealer: c.dealer, complainant: c.from }
  const { committed, share } = openCommittedShare(c.ciphertext, fromBase64(c.key), c.sessionId, c.dealer, c.from, config.length)
  if (!committed) return { ...base, verdict: 'unproven', reason: 'the revealed key is not the one the dealer committed to: either the dealer sealed the share under another key or the complainant reveals a wrong key; a third party cannot tell which' }
  if (share === null) return { ...base, verdict: 'dealer', reason: `the dealer ${c.dealer} signed a share that does not open under its own committed key (or has the wrong size)` }
  return { ...base, verdict: 'complainant', reason: `the share opens to a valid vector: the complaint of ${c.from} is false` }
}
