/**
 * @module coordinator
 * The coordinator (an untrusted relay, e.g. the gateway) as a state machine whose whole state has a
 * plain JSON form: `Coordinator.fromJSON(stored)` → `receive(message, now)` / `advance(now)` →
 * `toJSON()` to store again, so a restart loses nothing. It checks every message (shape, session,
 * membership, round, deadline, signature, sizes, field range), relays ciphertexts it cannot read,
 * publishes the signed roster and contributor set U, and reconstructs the aggregate — the only
 * thing it learns — from the sum-shares, naming any party whose sum-share is inconsistent.
 *
 * Message handling is idempotent: the same message twice is `duplicate` and changes nothing; a
 * different message from the same party for the same round is `MPC_EQUIVOCATION`.
 */
import { bytesToHex } from 'viem/utils'
import { MpcCheaterError, MpcError } from '../errors.js'
import { addressOf, aPrivateKey, recoverSigner, signDigest } from '../crypto/identity.js'
import { decodeVector } from '../encoding/fixed-point.js'
import { reconstructResidues } from './reconstruct.js'
import { complaintDigest, verifyDealerComplaint } from './complaint.js'
import { partyIndex, validateSession } from './session.js'
import {
  bytesToVector,
  contributorsDigest,
  contributorsDigestHex,
  inField,
  joinDigest,
  parsePartyMessage,
  rosterDigest,
  sharesDigest,
  sharesManifest,
  sumShareDigest,
  vectorBytes,
} from './messages.js'
import { fromJsonForm, toJsonForm } from './json-form.js'
import type { Address, AggregateResult, ContributorsMessage, CoordinatorMemory, CoordinatorState, Hex, PartyMessage, Phase, Round, RosterMessage, SessionConfig, ShareBundle, SumShareMessage } from './types.js'

/** Outcome of {@link Coordinator.receive}. */
export type ReceiveResult = { outcome: 'accepted' | 'duplicate'; type: PartyMessage['type']; from: Address; phase: Phase }

/** Parameters of the {@link Coordinator} constructor. */
export type CoordinatorParameters = {
  config: SessionConfig
  /** The coordinator's secp256k1 key (its address is `config.coordinator`); never in the state. */
  identityKey: Hex
}

const ORDER: Record<Phase, number> = { join: 0, share: 1, sum: 2, done: 3, failed: 3 }
const ROUND_OF: Record<PartyMessage['type'], Round> = { join: 'join', shares: 'share', 'sum-share': 'sum', 'dealer-complaint': 'sum' }

const err = (code: string, shortMessage: string, details?: string): MpcError => new MpcError(code, { shortMessage, details })

/**
 * The coordinator of one session.
 *
 * @example
 * ```ts
 * const coordinator = new Coordinator({ config, identityKey })
 * coordinator.receive(joinMessage, Date.now())   // → { outcome: 'accepted', ... }
 * const roster = coordinator.roster()           // once every party joined or the join deadline passed
 * db.save(coordinator.toJSON())
 * ```
 */
export class Coordinator {
  readonly #key: Hex
  #s: CoordinatorMemory
  /** Decoded sum-share vectors (already range-checked), by stored message. */
  readonly #vectors = new WeakMap<SumShareMessage, { share: Uint8Array; vector: Uint32Array }>()

  /**
   * @param params - the session configuration and the coordinator's identity key
   * @param state - internal: a stored state (use {@link Coordinator.fromJSON})
   * @throws TypeError / RangeError on a bad key or configuration; `MPC_UNKNOWN_PARTY` if the key
   *   is not the session's coordinator
   */
  constructor({ config, identityKey }: CoordinatorParameters, state?: CoordinatorMemory) {
    this.#key = aPrivateKey(identityKey, 'identityKey')
    validateSession(state ? state.config : config)
    const c = state ? state.config : config
    if (addressOf(this.#key) !== c.coordinator) throw err('MPC_UNKNOWN_PARTY', 'identityKey is not the session coordinator')
    this.#s = state ?? { version: 1, config: c, phase: 'join', joins: {}, roster: null, uploads: {}, contributors: null, sumShares: {}, result: null, failure: null }
  }

  /** Resume from a stored {@link Coordinator.toJSON} state. */
  static fromJSON(state: CoordinatorState, { identityKey }: { identityKey: Hex }): Coordinator {
    if (typeof state !== 'object' || state === null || state.version !== 1) throw new TypeError('"state" expected a coordinator state of version 1')
    return new Coordinator({ config: state.config, identityKey }, fromJsonForm<CoordinatorMemory>(state))
  }

  /** The whole state in its JSON form, JSON-serialisable (no secrets: the coordinator holds none but its signing key). */
  toJSON(): CoordinatorState {
    return toJsonForm(this.#s)
  }

  /** The session configuration. */
  get config(): SessionConfig {
    return this.#s.config
  }

  /** Current phase. */
  get phase(): Phase {
    return this.#s.phase
  }

  /** Who has done what so far. */
  status(): { phase: Phase; joined: Address[]; uploaded: Address[]; summed: Address[]; failure: CoordinatorMemory['failure'] } {
    const byIndex = (a: Address[]): Address[] => a.sort((x, y) => partyIndex(this.#s.config, x) - partyIndex(this.#s.config, y))
    return {
      phase: this.#s.phase,
      joined: byIndex(Object.keys(this.#s.joins) as Address[]),
      uploaded: byIndex(Object.keys(this.#s.uploads) as Address[]),
      summed: byIndex(Object.keys(this.#s.sumShares) as Address[]),
      failure: this.#s.failure,
    }
  }

  /**
   * Take one message from a party, then close any round that is complete or past its deadline.
   * @param message - a join, shares or sum-share message (anything: it is validated). Payloads given as
   *   `Uint8Array`s are kept as they are, not copied: do not modify them after handing them over
   *   (a relayed payload changed later fails its recipient's check, which then blames the relay)
   * @param now - the current time, ms since the epoch
   * @returns whether it was accepted or a harmless duplicate
   * @throws `MpcError` with code `MPC_MALFORMED_MESSAGE`, `MPC_WRONG_SESSION`, `MPC_UNKNOWN_PARTY`,
   *   `MPC_BAD_SIGNATURE`, `MPC_WRONG_ROUND` (too early), `MPC_LATE_MESSAGE` (round closed or
   *   deadline passed), `MPC_EQUIVOCATION` (a different message for a round already answered)
   */
  receive(message: unknown, now: number): ReceiveResult {
    const c = this.#s.config
    if (typeof message !== 'object' || message === null) throw err('MPC_MALFORMED_MESSAGE', 'message: expected an object')
    const sid = (message as { sessionId?: unknown }).sessionId
    if (sid !== c.sessionId) throw err('MPC_WRONG_SESSION', 'message is for another session')
    const m = parsePartyMessage(message, c)
    if (partyIndex(c, m.from) === 0) throw err('MPC_UNKNOWN_PARTY', `${m.from} is not a party of this session`)
    const round = ROUND_OF[m.type]
    const stored = this.#stored(round, m.from)
    if (stored && stored.signature === m.signature) return { outcome: 'duplicate', type: m.type, from: m.from, phase: this.#s.phase }
    // (a different signature: check it, then see whether the content is the same)
    const { digest, manifest } = this.#digest(m)
    const signer = recoverSigner(digest, m.signature)
    if (signer !== m.from) throw err('MPC_BAD_SIGNATURE', `${m.type}: signature is not by ${m.from}`)
    if (stored) {
      const storedDigest = m.type === 'shares' ? this.#s.uploads[m.from]!.digest : bytesToHex(this.#digest(stored).digest)
      if (storedDigest === bytesToHex(digest)) return { outcome: 'duplicate', type: m.type, from: m.from, phase: this.#s.phase }
      throw err('MPC_EQUIVOCATION', `${m.from} already sent a different ${m.type} message`)
    }
    this.advance(now)
    const phase = this.#s.phase
    if (ORDER[phase] > ORDER[round]) throw err('MPC_LATE_MESSAGE', `the ${round} round is closed`)
    if (ORDER[phase] < ORDER[round]) throw err('MPC_WRONG_ROUND', `the ${round} round is not open yet (phase: ${phase})`)
    if (m.type === 'join') {
      this.#s.joins[m.from] = m
    } else if (m.type === 'shares') {
      const members = this.#s.roster!.members.map((j) => j.from)
      if (!members.includes(m.from)) throw err('MPC_UNKNOWN_PARTY', `${m.from} is not in the roster`)
      const expected = members.filter((a) => a !== m.from)
      if (m.shares.length !== expected.length || m.shares.some((s, i) => s.to !== expected[i])) {
        throw err('MPC_MALFORMED_MESSAGE', 'shares: expected one share per other roster member, in roster order')
      }
      this.#s.uploads[m.from] = { message: m, digest: bytesToHex(digest), manifest: manifest! }
    } else if (m.type === 'dealer-complaint') {
      // instead of a sum-share: proof that a dealer in U sent this party an invalid share
      if (!this.#s.roster!.members.some((j) => j.from === m.from)) throw err('MPC_UNKNOWN_PARTY', `${m.from} is not in the roster`)
      if (this.#s.sumShares[m.from]) throw err('MPC_EQUIVOCATION', `${m.from} already sent a sum-share`)
      if (!this.#s.contributors!.contributors.includes(m.dealer)) throw new MpcError('MPC_BAD_COMPLAINT', { shortMessage: `${m.dealer} is not a contributor of this sum` })
      const v = verifyDealerComplaint({ complaint: m, config: c })
      if (v.verdict !== 'dealer') throw new MpcError('MPC_BAD_COMPLAINT', { shortMessage: `complaint not upheld (${v.verdict}): ${v.reason}` })
      ;(this.#s.complaints ??= {})[m.from] = m
    } else {
      if (!this.#s.roster!.members.some((j) => j.from === m.from)) throw err('MPC_UNKNOWN_PARTY', `${m.from} is not in the roster`)
      if (this.#s.complaints?.[m.from]) throw err('MPC_EQUIVOCATION', `${m.from} already complained about its dealer instead of summing`)
      if (m.contributorsDigest !== contributorsDigestHex(this.#s.contributors!)) throw err('MPC_MALFORMED_MESSAGE', 'sum-share: computed over another contributor set')
      const vector = bytesToVector(m.share)
      if (m.share.length !== vectorBytes(c.length) || !inField(vector, c.length)) {
        throw err('MPC_MALFORMED_MESSAGE', 'sum-share: "share" is not a vector of field elements')
      }
      this.#s.sumShares[m.from] = m
      this.#vectors.set(m, { share: m.share, vector })
    }
    this.advance(now)
    return { outcome: 'accepted', type: m.type, from: m.from, phase: this.#s.phase }
  }

  /**
   * Close every round that is complete (everyone expected has answered) or past its deadline.
   * @param now - ms since the epoch
   * @returns the phase afterwards
   */
  advance(now: number): Phase {
    for (;;) {
      const before = this.#s.phase
      this.#step(now, false)
      if (this.#s.phase === before) return before
    }
  }

  /**
   * Close the current round now, whatever its deadline (an operator's decision).
   * @returns the phase afterwards
   */
  closeRound(now: number): Phase {
    this.#step(now, true)
    return this.advance(now)
  }

  /** The signed roster (after the join round). @throws `MPC_WRONG_ROUND` before it. */
  roster(): RosterMessage {
    if (!this.#s.roster) throw err(this.#s.failure ? 'MPC_SESSION_FAILED' : 'MPC_WRONG_ROUND', 'the roster is not published yet', this.#s.failure?.message)
    return this.#s.roster
  }

  /** The signed contributor set U (after the share round). @throws `MPC_WRONG_ROUND` before it. */
  contributors(): ContributorsMessage {
    if (!this.#s.contributors) throw err(this.#s.failure ? 'MPC_SESSION_FAILED' : 'MPC_WRONG_ROUND', 'the contributor set is not published yet', this.#s.failure?.message)
    return this.#s.contributors
  }

  /**
   * The ciphertexts addressed to `to` by the members of U, with U itself.
   * @throws `MPC_WRONG_ROUND` before the share round closed; `MPC_UNKNOWN_PARTY` if `to` is not in the roster
   */
  bundleFor(to: Address): ShareBundle {
    const U = this.contributors()
    if (!this.#s.roster!.members.some((j) => j.from === to)) throw err('MPC_UNKNOWN_PARTY', `${to} is not in the roster`)
    const shares = U.contributors
      .filter((from) => from !== to)
      .map((from) => {
        const up = this.#s.uploads[from]!
        const s = up.message.shares.find((x) => x.to === to)!
        return { from, ciphertext: s.ciphertext, manifest: up.manifest, signature: up.message.signature }
      })
    return { type: 'share-bundle', sessionId: this.#s.config.sessionId, to, contributors: U, shares }
  }

  /**
   * The aggregate (after the sum round).
   * @throws `MPC_WRONG_ROUND` before; the failure's code (`MPC_INCONSISTENT_SHARES`,
   *   `MPC_TOO_FEW_SHARES`, `MPC_TOO_FEW_CONTRIBUTORS`, `MPC_RESULT_UNVERIFIED` — exactly t
   *   sum-shares in a session without `allowUnverified`) if the session failed
   */
  result(): AggregateResult {
    if (this.#s.result) return this.#s.result
    const f = this.#s.failure
    if (f) {
      if (f.code === 'MPC_INCONSISTENT_SHARES') throw new MpcCheaterError({ shortMessage: f.message, cheaters: f.cheaters ?? [] })
      throw err(f.code, f.message)
    }
    throw err('MPC_WRONG_ROUND', `no result yet (phase: ${this.#s.phase})`)
  }

  /** A stored sum-share's vector: decoded once when it was checked, again only after a restore. */
  #vectorOf(m: SumShareMessage): Uint32Array {
    const hit = this.#vectors.get(m)
    if (hit !== undefined && hit.share === m.share) return hit.vector
    return bytesToVector(m.share)
  }

  #stored(round: Round, from: Address): PartyMessage | undefined {
    if (round === 'join') return this.#s.joins[from]
    if (round === 'share') return this.#s.uploads[from]?.message
    return this.#s.sumShares[from] ?? this.#s.complaints?.[from]
  }

  #digest(m: PartyMessage): { digest: Uint8Array; manifest?: [Address, Hex][] } {
    if (m.type === 'join') return { digest: joinDigest(m) }
    if (m.type === 'sum-share') return { digest: sumShareDigest(m) }
    if (m.type === 'dealer-complaint') return { digest: complaintDigest(m) }
    const manifest = sharesManifest(m)
    return { digest: sharesDigest(m.sessionId, m.from, manifest), manifest }
  }

  #fail(code: string, message: string, cheaters?: Address[]): void {
    this.#s.phase = 'failed'
    this.#s.failure = cheaters ? { code, message, cheaters } : { code, message }
  }

  #step(now: number, force: boolean): void {
    const s = this.#s
    const c = s.config
    const byIndex = (a: Address[]): Address[] => a.sort((x, y) => partyIndex(c, x) - partyIndex(c, y))
    if (s.phase === 'join') {
      const joined = byIndex(Object.keys(s.joins) as Address[])
      if (!force && joined.length < c.parties.length && now <= c.deadlines.join) return
      if (joined.length < c.threshold) return this.#fail('MPC_TOO_FEW_CONTRIBUTORS', `${joined.length} parties joined, threshold is ${c.threshold}`)
      const members = joined.map((a) => s.joins[a]!)
      s.roster = { type: 'roster', sessionId: c.sessionId, members, signature: signDigest(this.#key, rosterDigest({ sessionId: c.sessionId, members })) }
      s.phase = 'share'
    } else if (s.phase === 'share') {
      const uploaded = byIndex(Object.keys(s.uploads) as Address[])
      if (!force && uploaded.length < s.roster!.members.length && now <= c.deadlines.share) return
      if (uploaded.length < c.minContributors) return this.#fail('MPC_TOO_FEW_CONTRIBUTORS', `${uploaded.length} parties uploaded shares, minContributors is ${c.minContributors}`)
      const body = { sessionId: c.sessionId, contributors: uploaded }
      s.contributors = { type: 'contributors', ...body, signature: signDigest(this.#key, contributorsDigest(body)) }
      s.phase = 'sum'
    } else if (s.phase === 'sum') {
      const holders = byIndex(Object.keys(s.sumShares) as Address[])
      const complaints = Object.values(s.complaints ?? {})
      const blamed = byIndex([...new Set(complaints.map((x) => x.dealer))])
      if (!force && holders.length + complaints.length < s.roster!.members.length && now <= c.deadlines.sum) return
      const blame = blamed.length ? `; dealers proven to have sent invalid shares: ${blamed.join(', ')}` : ''
      if (holders.length < c.threshold) return this.#fail('MPC_TOO_FEW_SHARES', `${holders.length} sum-shares arrived, threshold is ${c.threshold}${blame}`, blamed.length ? blamed : undefined)
      try {
        const rec = reconstructResidues({
          points: holders.map((a) => partyIndex(c, a)),
          shares: holders.map((a) => this.#vectorOf(s.sumShares[a]!)),
          holders,
          threshold: c.threshold,
          length: c.length,
        })
        if (!rec.verified && c.allowUnverified !== true) {
          return this.#fail(
            'MPC_RESULT_UNVERIFIED',
            `only ${rec.used.length} consistent sum-shares for threshold ${c.threshold}: no extra share cross-checks the sum, so one lying holder would change it undetected; it is not released (create the session with allowUnverified: true to release such sums, marked verified: false)${blame}`,
            blamed.length ? blamed : undefined,
          )
        }
        const { sum, values } = decodeVector(rec.secret, c.length, c.scale)
        s.result = {
          type: 'result',
          sessionId: c.sessionId,
          contributors: s.contributors!.contributors,
          sumShareHolders: rec.used as Address[],
          cheaters: rec.cheaters as Address[],
          verified: rec.verified,
          liarTolerance: rec.liarTolerance,
          ...(blamed.length ? { dealersBlamed: blamed } : {}),
          sum: Array.from(sum, (x) => x.toString()),
          values,
        }
        s.phase = 'done'
      } catch (e) {
        if (e instanceof MpcCheaterError) return this.#fail(e.code, `${e.shortMessage}${blame}`, e.cheaters as Address[])
        throw e
      }
    }
  }
}
