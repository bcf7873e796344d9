/**
 * @module party
 * The party (hospital) side of the protocol as a small state machine: join → share → sum.
 * The party keeps its own secrets (its X25519 key, its share of its own input) in its state;
 * everything it sends is a signed, plain message for the coordinator to relay. Every call is
 * idempotent: asking again returns the same message, so a retry after a lost response is safe,
 * and a party never produces two different sum-shares (which would let a coordinator that
 * equivocates on U difference two aggregates).
 */
import { MpcDealerError, MpcError } from '../errors.js'
import { addressOf, aPrivateKey, assertSignedBy, signDigest } from '../crypto/identity.js'
import { deriveShareKey, generateEncryptionKeyPair, keyCommitment, sealBytes, shareAad } from '../crypto/share-encryption.js'
import { complaintDigest, openCommittedShare } from './complaint.js'
import { sha256HexOfBytes } from '../crypto/digest.js'
import { fromJsonForm, toJsonForm } from './json-form.js'
import { fromBase64, toBase64 } from '#crypto-backend'
import { encodeVector } from '../encoding/fixed-point.js'
import { addResidues, shareResidues } from '../field/shamir.js'
import { sampleDiscreteLaplace } from '../dp/noise.js'
import { validateSession, partyIndex } from './session.js'
import { bytesToVector, contributorsDigest, contributorsDigestHex, joinDigest, rosterDigest, sharesDigest, sharesManifest, sumShareDigest, vectorToBytes, vectorBytes } from './messages.js'
import type { Address, DealerComplaint, Hex, JoinMessage, PartyMemory, PartyState, RosterMessage, SessionConfig, ShareBundle, SharesMessage, SumShareMessage } from './types.js'

const fail = (code: string, shortMessage: string, details?: string): never => {
  throw new MpcError(code, { shortMessage, details })
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** A relayed payload as bytes: as is from the binary form, decoded from base64 (the JSON form); anything else is empty (and fails to open). */
function payloadBytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : typeof v === 'string' ? fromBase64(v) : new Uint8Array(0)
}

/** The outer shape of a roster as received (its members and signatures are checked by {@link Party.acceptRoster}). */
function isRosterMessage(v: unknown): v is RosterMessage {
  return isRecord(v) && v.type === 'roster' && Array.isArray(v.members)
}

/** The outer shape of a share bundle as received (its contents are checked by {@link Party.sum}). */
function isShareBundle(v: unknown): v is ShareBundle {
  return isRecord(v) && v.type === 'share-bundle' && isRecord(v.contributors) && Array.isArray(v.shares)
}

/** Parameters of the {@link Party} constructor. */
export type PartyParameters = {
  /** The session configuration (checked: id, parameters, membership). */
  config: SessionConfig
  /** The party's secp256k1 identity key (its wallet key); never stored in the state. */
  identityKey: Hex
}

/**
 * One party of a secure-aggregation session.
 *
 * @example
 * ```ts
 * const party = new Party({ config, identityKey })
 * send(party.join())
 * send(party.share(myVector, roster))
 * send(party.sum(bundle))
 * ```
 */
export class Party {
  readonly #key: Hex
  readonly #state: PartyMemory

  /**
   * @param params - the session configuration and the party's identity key
   * @param state - internal: a stored state (use {@link Party.fromJSON})
   * @throws TypeError / RangeError on a bad key or configuration; `MPC_UNKNOWN_PARTY` when the key's
   *   address is not one of the session's parties; `MPC_WRONG_SESSION` when the config's id is forged
   */
  constructor({ config, identityKey }: PartyParameters, state?: PartyMemory) {
    this.#key = aPrivateKey(identityKey, 'identityKey')
    const address = addressOf(this.#key)
    if (state) {
      if (state.version !== 1 || state.address !== address) fail('MPC_UNKNOWN_PARTY', 'party state belongs to another identity')
      validateSession(state.config)
      this.#state = state
      return
    }
    validateSession(config)
    if (partyIndex(config, address) === 0) fail('MPC_UNKNOWN_PARTY', `${address} is not a party of this session`)
    const encryption = generateEncryptionKeyPair()
    this.#state = { version: 1, config, address, encryption, join: null, roster: null, shares: null, ownShare: null, sumShare: null }
  }

  /** Restore a party from {@link Party.toJSON} output. */
  static fromJSON(state: PartyState, { identityKey }: { identityKey: Hex }): Party {
    return new Party({ config: state.config, identityKey }, fromJsonForm<PartyMemory>(state))
  }

  /** The party's whole state, in its JSON form (its secrets included: store it like a key). */
  toJSON(): PartyState {
    return toJsonForm(this.#state)
  }

  /** The party's address. */
  get address(): Address {
    return this.#state.address
  }

  /** The session configuration. */
  get config(): SessionConfig {
    return this.#state.config
  }

  /** Round 1: the signed join with this session's X25519 encryption key. */
  join(): JoinMessage {
    if (this.#state.join) return this.#state.join
    const { sessionId } = this.#state.config
    const body = { sessionId, from: this.#state.address, encryptionKey: this.#state.encryption.publicKey }
    this.#state.join = { type: 'join', ...body, signature: signDigest(this.#key, joinDigest(body)) }
    return this.#state.join
  }

  /**
   * Accept the roster (checked: coordinator's signature, every member's own join signature,
   * members are session parties in order, this party is one, at least t members).
   */
  acceptRoster(roster: unknown): void {
    const c = this.#state.config
    if (this.#state.roster) {
      if (!isRecord(roster) || this.#state.roster.signature !== roster.signature) fail('MPC_EQUIVOCATION', 'a different roster was already accepted')
      return
    }
    if (!isRosterMessage(roster)) return fail('MPC_MALFORMED_MESSAGE', 'expected a roster message')
    if (roster.sessionId !== c.sessionId) fail('MPC_WRONG_SESSION', 'roster is for another session')
    assertSignedBy(rosterDigest(roster), roster.signature, c.coordinator, 'roster')
    let last = 0
    for (const m of roster.members) {
      const idx = partyIndex(c, m.from)
      if (idx <= last) fail('MPC_MALFORMED_MESSAGE', 'roster members must be distinct session parties in index order')
      last = idx
      if (m.sessionId !== c.sessionId) fail('MPC_WRONG_SESSION', 'roster member joined another session')
      // (its own join it knows: compared below instead of re-verified)
      if (m.from !== this.#state.address) assertSignedBy(joinDigest(m), m.signature, m.from, `join of ${m.from}`)
    }
    if (roster.members.length < c.threshold) fail('MPC_TOO_FEW_CONTRIBUTORS', `roster has ${roster.members.length} members, threshold is ${c.threshold}`)
    const mine = roster.members.find((m) => m.from === this.#state.address)
    const own = this.join()
    if (!mine || mine.encryptionKey !== own.encryptionKey || mine.signature !== own.signature) fail('MPC_UNKNOWN_PARTY', 'this party is not in the roster with its own join')
    this.#state.roster = roster
  }

  /**
   * Round 2: encode `values` (|v| ≤ bound), add this party's DP noise if the session has it,
   * Shamir-share every element among the roster, encrypt each member's share to it, sign.
   * @param values - this party's input vector
   * @param roster - the roster as received from the coordinator (checked), unless already accepted
   * @throws RangeError / TypeError on bad values; `MPC_WRONG_ROUND` if called again with other values
   */
  share(values: ArrayLike<number>, roster?: unknown): SharesMessage {
    if (roster) this.acceptRoster(roster)
    if (this.#state.shares) return this.#state.shares
    const r = this.#state.roster ?? fail('MPC_WRONG_ROUND', 'the roster is needed before sharing')
    const c = this.#state.config
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') throw new TypeError('"values" expected an array of numbers')
    if (values.length !== c.length) throw new RangeError(`"values" expected ${c.length} numbers, got ${values.length}`)
    const noise = c.dp ? sampleDiscreteLaplace(c.dp, c.scale, c.length) : undefined
    const secret = encodeVector({ values, scale: c.scale, bound: c.bound, noise })
    const members = r.members.map((m) => m.from)
    const shares = shareResidues({ secret, points: members.map((a) => partyIndex(c, a)), threshold: c.threshold })
    const me = this.#state.address
    const out: SharesMessage['shares'] = []
    members.forEach((to, k) => {
      if (to === me) {
        this.#state.ownShare = toBase64(vectorToBytes(shares[k]!))
        return
      }
      const key = deriveShareKey({ own: this.#state.encryption, peerPublicKey: r.members[k]!.encryptionKey, sessionId: c.sessionId, from: me, to, label: 'share' })
      // key commitment ‖ AEAD: the signed ciphertext hash then binds this party to the share (complaint.ts)
      const ciphertext = sealBytes(key, vectorToBytes(shares[k]!), shareAad(c.sessionId, 'share', me, to), keyCommitment(key))
      out.push({ to, ciphertext })
    })
    const manifest = sharesManifest({ shares: out })
    this.#state.shares = { type: 'shares', sessionId: c.sessionId, from: me, shares: out, signature: signDigest(this.#key, sharesDigest(c.sessionId, me, manifest)) }
    return this.#state.shares
  }

  /**
   * Round 3: check the coordinator's signed contributor set U, decrypt the shares sent to this
   * party by every member of U, add them (with its own share if it is in U), sign the sum-share.
   * @throws `MPC_BAD_SHARE` naming the sender whose share does not decrypt or is out of range
   *   (`details` says whether the sender's own signature covers that ciphertext, i.e. who is to
   *   blame); `MPC_EQUIVOCATION` if asked for a sum over a different U than before
   */
  sum(bundle: unknown, roster?: unknown): SumShareMessage {
    if (roster) this.acceptRoster(roster)
    const c = this.#state.config
    const me = this.#state.address
    if (!isShareBundle(bundle)) return fail('MPC_MALFORMED_MESSAGE', 'expected a share-bundle message')
    if (bundle.sessionId !== c.sessionId || bundle.contributors.sessionId !== c.sessionId) fail('MPC_WRONG_SESSION', 'bundle is for another session')
    if (bundle.to !== me) fail('MPC_UNKNOWN_PARTY', 'bundle is addressed to another party')
    const U = bundle.contributors
    const uDigest = contributorsDigestHex(U)
    if (this.#state.sumShare) {
      if (this.#state.sumShare.contributorsDigest !== uDigest) fail('MPC_EQUIVOCATION', 'already produced a sum-share over a different contributor set')
      return this.#state.sumShare
    }
    const r = this.#state.roster ?? fail('MPC_WRONG_ROUND', 'the roster is needed before summing')
    assertSignedBy(contributorsDigest(U), U.signature, c.coordinator, 'contributor set')
    if (!Array.isArray(U.contributors) || new Set(U.contributors).size !== U.contributors.length) fail('MPC_MALFORMED_MESSAGE', 'contributor set is not a list of distinct addresses')
    if (U.contributors.length < c.minContributors) fail('MPC_TOO_FEW_CONTRIBUTORS', `|U| = ${U.contributors.length} < minContributors = ${c.minContributors}`)
    const keyOf = new Map(r.members.map((m) => [m.from, m.encryptionKey]))
    for (const a of U.contributors) if (!keyOf.has(a)) fail('MPC_MALFORMED_MESSAGE', `contributor ${a} is not in the roster`)
    const L = c.length
    const vectors: Uint32Array[] = []
    const byFrom = new Map(bundle.shares.map((s) => [s.from, s]))
    for (const from of U.contributors) {
      if (from === me) {
        if (!this.#state.ownShare) fail('MPC_BAD_SHARE', 'this party is in U but has lost its own share')
        vectors.push(bytesToVector(fromBase64(this.#state.ownShare!)))
        continue
      }
      const s = byFrom.get(from) ?? fail('MPC_BAD_SHARE', `no share from contributor ${from} in the bundle`)
      const key = deriveShareKey({ own: this.#state.encryption, peerPublicKey: keyOf.get(from)!, sessionId: c.sessionId, from, to: me, label: 'share' })
      const bytes = payloadBytes(s.ciphertext)
      const { share: plain } = openCommittedShare(bytes, key, c.sessionId, from, me, L)
      // (no field-range check needed: any uint32 is a valid residue class for addResidues)
      if (plain === null) {
        const blame = this.#blame(s, from)
        if (blame.dealer) {
          throw new MpcDealerError({ shortMessage: `the share ${from} signed for this party is invalid: the dealer is to blame`, details: blame.why, dealer: from, complaint: this.#complaint(s, from, key) })
        }
        fail('MPC_BAD_SHARE', `the share from ${from} does not decrypt to a valid share`, blame.why)
      }
      vectors.push(bytesToVector(plain!))
    }
    const sum = addResidues(vectors, L)
    const message: SumShareMessage = { type: 'sum-share', sessionId: c.sessionId, from: me, contributorsDigest: uDigest, share: vectorToBytes(sum), signature: '0x' }
    message.signature = signDigest(this.#key, sumShareDigest(message))
    this.#state.sumShare = message
    return message
  }

  /** Whether the sender's own signature covers a ciphertext that did not open (sender to blame) or the relay altered it. */
  #blame(s: ShareBundle['shares'][number], from: Address): { dealer: boolean; why: string } {
    try {
      const entry = Array.isArray(s.manifest) ? s.manifest.find(([to]) => to === this.#state.address) : undefined
      if (!entry || entry[1] !== sha256HexOfBytes(payloadBytes(s.ciphertext))) return { dealer: false, why: 'the ciphertext is not the one the sender signed: the relay altered it' }
      assertSignedBy(sharesDigest(this.#state.config.sessionId, from, s.manifest), s.signature, from, 'shares')
      return { dealer: true, why: `the sender ${from} signed this ciphertext: the sender is to blame` }
    } catch {
      return { dealer: false, why: 'the sender signature does not verify: the relay altered it' }
    }
  }

  /** The signed complaint against a dealer whose signed share is invalid (reveals that one pairwise key). */
  #complaint(s: ShareBundle['shares'][number], dealer: Address, key: Uint8Array): DealerComplaint {
    const body = {
      sessionId: this.#state.config.sessionId,
      from: this.#state.address,
      dealer,
      ciphertext: payloadBytes(s.ciphertext),
      manifest: s.manifest,
      dealerSignature: s.signature,
      key: toBase64(key),
    }
    return { type: 'dealer-complaint', ...body, signature: signDigest(this.#key, complaintDigest(body)) }
  }
}

