/**
 * @module secagg/protocol
 * Multi-round SecAgg masked aggregation (Bonawitz et al., CCS 2017) with long-term pair keys.
 *
 * Setup, once per session (and once for a party that joins late):
 * 0. Advertise: hospital i publishes X25519 public keys c_i (share encryption) and s_i (masks) and an
 *    Ed25519 verification key v_i, signed by v_i (and, when the session names the parties' addresses,
 *    by i's identity key). Every pair then agrees ONCE: K_ij = HKDF-Extract(X25519(s_i, s_j)) and an
 *    AES-GCM key E_ij from X25519(c_i, c_j).
 *
 * Round r (every message signed with v_i over (session, r, kind, sender, payload digest)):
 * 1. ShareSeeds: i draws a self-mask seed b_i and a round recovery seed e_i, Shamir-shares both
 *    (t-of-n, byte-wise over GF(2^8)), sends share k to hospital k under E_ik with AAD (session, r, i → k),
 *    commits to b_i and e_i, and attaches its round-r pair seeds p_ij^r for every peer j, sealed
 *    under a key derived from e_i (so the server can open them only if it rebuilds e_i).
 * 2. MaskedInput: y_i = x_i + PRG(b_i) + Σ_{j ∈ U1, j ≠ i} ±PRG(p_ij^r) over Z_2^64, where
 *    p_ij^r = HKDF-Expand(K_ij, session ‖ r ‖ min(i,j) ‖ max(i,j)) (+ when i < j, − when i > j).
 * 3. Unmask: the server names U2; each responder reveals, for every j ∈ U1, EITHER its share of b_j
 *    (j survived) OR its share of e_j (j dropped) — never both for the same (j, r). Clients refuse
 *    it ({@link SecAggClient.unmask}) and the server's {@link RevealLedger} asserts it.
 *
 * Why the long-term key is never reconstructed (unlike Bonawitz, whose s_i is per round): rebuilding
 * s_j once would give the server every past round's pair seeds of j, and with b_j of a round where
 * j survived, j's input of that round. Here the secret recovered for a dropped party, e_j, opens only
 * that round's pair seeds, which HKDF makes independent of every other round's.
 *
 * Fixed point: values are encoded as round(v · scale) in Z_2^64 (two's complement); the session
 * requires n · bound · scale < 2^53 so every encoding and the sum of any subset are exact
 * integers in a double and decode exactly. Elements are stored as (lo, hi) uint32 word pairs.
 */
import type { KeyObject } from 'node:crypto'
import { FederatedError } from '../errors.js'
import { addressOf, recoverSigner, signDigest } from '@krain/mpc'
import type { Address, Hex } from '@krain/mpc'
import {
  agree,
  commit,
  ed25519PublicKeyObject,
  generateSigningKey,
  generateX25519,
  hkdfExpand32,
  hkdfExtract,
  open,
  prgMask,
  seal,
  sha256Of,
  shamirCombine,
  shamirSplit,
  signBytes,
  verifyBytes,
  x25519PublicKeyObject,
  type X25519KeyPair,
} from './crypto.js'

/** Public parameters of a SecAgg session (fixed over its rounds). */
export type SecAggConfig = {
  /** Session label bound into every key derivation, ciphertext and signature. */
  session: string
  /** Number of hospitals on the roster, indexed 1..n. */
  n: number
  /** Reconstruction threshold (survivors needed), 2 ≤ t ≤ n (t = 1 only for n = 1). */
  threshold: number
  /** Vector length. */
  length: number
  /** Fixed-point scale. */
  scale: number
  /** Bound on |value| of every input element. */
  bound: number
  /** Optional identity of index k + 1: its advertisement must then carry that address's signature. */
  parties?: readonly Address[]
}

/** Setup message: long-term public keys, self-signed (and identity-signed when the session names addresses). */
export type AdvertiseMessage = { from: number; cPk: Uint8Array; sPk: Uint8Array; vk: Uint8Array; signature: Uint8Array; identitySignature?: Hex }
/** Round message 1: encrypted seed shares, one per recipient; commitments; sealed round pair seeds. */
export type ShareSeedsMessage = { round: number; from: number; bCommitment: string; eCommitment: string; peers: number[]; pairSeal: Uint8Array; ciphertexts: Map<number, Uint8Array>; signature: Uint8Array }
/** Round message 2: masked vector. */
export type MaskedInputMessage = { round: number; from: number; y: Uint32Array; signature: Uint8Array }
/** Round message 3: revealed shares; `kind` names the secret: `'b'` self-mask seed, `'e'` round recovery seed. */
export type UnmaskMessage = { round: number; from: number; shares: { of: number; kind: 'e' | 'b'; share: Uint8Array }[]; signature: Uint8Array }
/** @deprecated name of {@link ShareSeedsMessage} before long-term keys. */
export type ShareKeysMessage = ShareSeedsMessage

/** Validate a config; RangeError naming the bad field. */
export function validateSecAggConfig(c: SecAggConfig): void {
  if (typeof c.session !== 'string' || c.session.length === 0 || c.session.length > 512) throw new RangeError(`"session" expected a non-empty string of ≤ 512 characters`)
  if (!Number.isInteger(c.n) || c.n < 1 || c.n > 1000) throw new RangeError(`"n" expected an integer in [1, 1000], got ${c.n}`)
  if (!Number.isInteger(c.threshold) || c.threshold < Math.min(2, c.n) || c.threshold > c.n) throw new RangeError(`"threshold" expected an integer in [${Math.min(2, c.n)}, ${c.n}], got ${c.threshold}`)
  if (!Number.isInteger(c.length) || c.length < 1) throw new RangeError(`"length" expected a positive integer, got ${c.length}`)
  if (!(c.scale > 0) || !(c.bound > 0)) throw new RangeError(`"scale" and "bound" expected positive numbers`)
  if (!(c.n * c.bound * c.scale < 2 ** 53)) throw new RangeError(`"scale" too large: n · bound · scale = ${c.n * c.bound * c.scale} must be < 2^53 for an exact sum`)
  if (c.parties !== undefined && c.parties.length !== c.n) throw new RangeError(`"parties" expected ${c.n} addresses, got ${c.parties.length}`)
}

const V = 'krain-secagg-v2'
const shareAad = (c: SecAggConfig, round: number, from: number, to: number): string => `${V}|share|${c.session}|${round}|${from}->${to}`
const pairInfo = (c: SecAggConfig, round: number, i: number, j: number): string => `${V}|pair|${c.session}|${round}|${Math.min(i, j)}|${Math.max(i, j)}`
const seedLabel = (c: SecAggConfig, round: number, kind: 'b' | 'e', i: number): string => `${V}|${kind}|${c.session}|${round}|${i}`
const pairSealAad = (c: SecAggConfig, round: number, i: number, peers: readonly number[]): string => `${V}|pairs|${c.session}|${round}|${i}|${peers.join(',')}`
const pairSealKey = (e: Uint8Array): Uint8Array => sha256Of(`${V}|pair-seal-key`, e)

/** Digest an advertisement signs. */
export function advertiseDigest(c: SecAggConfig, m: Pick<AdvertiseMessage, 'from' | 'cPk' | 'sPk' | 'vk'>): Uint8Array {
  return sha256Of(`${V}|advertise|${c.session}|${m.from}|`, m.cPk, m.sPk, m.vk)
}
/** Digest a ShareSeeds message signs. */
export function shareSeedsDigest(c: SecAggConfig, m: Omit<ShareSeedsMessage, 'signature'>): Uint8Array {
  const parts: (Uint8Array | string)[] = [`${V}|shares|${c.session}|${m.round}|${m.from}|${m.bCommitment}|${m.eCommitment}|${m.peers.join(',')}|`, m.pairSeal]
  for (const to of [...m.ciphertexts.keys()].sort((a, b) => a - b)) parts.push(`|${to}:`, m.ciphertexts.get(to)!)
  return sha256Of(...parts)
}
/** Digest a MaskedInput message signs. */
export function maskedDigest(c: SecAggConfig, m: Omit<MaskedInputMessage, 'signature'>): Uint8Array {
  return sha256Of(`${V}|masked|${c.session}|${m.round}|${m.from}|`, new Uint8Array(m.y.buffer, m.y.byteOffset, m.y.byteLength))
}
/** Digest an Unmask message signs. */
export function unmaskDigest(c: SecAggConfig, m: Omit<UnmaskMessage, 'signature'>): Uint8Array {
  const parts: (Uint8Array | string)[] = [`${V}|unmask|${c.session}|${m.round}|${m.from}|`]
  for (const s of m.shares) parts.push(`${s.of}${s.kind}`, s.share)
  return sha256Of(...parts)
}

const TWO32 = 2 ** 32

/** Encode a real vector to Z_2^64 fixed point (two's complement, (lo, hi) word pairs). */
export function encodeFixed(values: ArrayLike<number>, scale: number, bound: number): Uint32Array {
  const out = new Uint32Array(2 * values.length)
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!
    if (typeof v !== 'number' || !(Math.abs(v) <= bound)) throw new RangeError(`"values[${k}]" expected |v| ≤ ${bound}, got ${v}`)
    const z = Math.round(v * scale)
    const hi = Math.floor(z / TWO32)
    out[2 * k] = z - hi * TWO32
    out[2 * k + 1] = hi // stored mod 2^32
  }
  return out
}

/** Decode a Z_2^64 fixed-point sum (two's complement, |value| < 2^53) to reals. */
export function decodeFixed(sum: Uint32Array, scale: number): Float64Array {
  const out = new Float64Array(sum.length / 2)
  for (let k = 0; k < out.length; k++) out[k] = ((sum[2 * k + 1]! | 0) * TWO32 + sum[2 * k]!) / scale
  return out
}

/** acc ← acc ± v in Z_2^64, element-wise on (lo, hi) word pairs. */
function addInto(acc: Uint32Array, v: Uint32Array, sign: 1 | -1): void {
  if (sign === 1) {
    for (let k = 0; k < acc.length; k += 2) {
      const lo = acc[k]! + v[k]!
      acc[k] = lo
      acc[k + 1] = acc[k + 1]! + v[k + 1]! + (lo >= TWO32 ? 1 : 0)
    }
  } else {
    for (let k = 0; k < acc.length; k += 2) {
      const lo = acc[k]! - v[k]!
      acc[k] = lo
      acc[k + 1] = acc[k + 1]! - v[k + 1]! - (lo < 0 ? 1 : 0)
    }
  }
}

const freshSecret = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(32))

const fail = (shortMessage: string, details?: string): FederatedError => new FederatedError('FED_ROUND_FAILED', { shortMessage, details })
const replay = (shortMessage: string): FederatedError => new FederatedError('FED_REPLAYED_MESSAGE', { shortMessage, details: 'a message of another round or session, or a second copy of one, is refused' })
const badSig = (who: number, what: string): FederatedError => new FederatedError('FED_BAD_SIGNATURE', { shortMessage: `${what} of party ${who} is not signed by its advertised key` })

/** Check an advertisement's self-signature and (if the session names addresses) its identity signature. */
export function verifyAdvertisement(c: SecAggConfig, m: AdvertiseMessage): void {
  if (!Number.isInteger(m.from) || m.from < 1 || m.from > c.n) throw fail(`advertisement from ${m.from}: not a roster index in 1..${c.n}`)
  for (const [k, len] of [['cPk', 32], ['sPk', 32], ['vk', 32], ['signature', 64]] as const) {
    if (!(m[k] instanceof Uint8Array) || m[k].length !== len) throw fail(`advertisement of party ${m.from}: "${k}" expected ${len} bytes`)
  }
  const digest = advertiseDigest(c, m)
  let vk: KeyObject
  try {
    vk = ed25519PublicKeyObject(m.vk)
  } catch {
    throw badSig(m.from, 'the advertisement')
  }
  if (!verifyBytes(vk, digest, m.signature)) throw badSig(m.from, 'the advertisement')
  if (c.parties) {
    const expected = c.parties[m.from - 1]!
    const signer = typeof m.identitySignature === 'string' ? recoverSigner(digest, m.identitySignature) : null
    if (!signer || signer.toLowerCase() !== expected.toLowerCase()) throw new FederatedError('FED_BAD_SIGNATURE', { shortMessage: `the advertisement of party ${m.from} is not signed by ${expected}` })
  }
}

type Peer = { cPk: Uint8Array; sPk: Uint8Array; vk: Uint8Array; vkObj: KeyObject; pairKey?: Uint8Array; encKey?: Uint8Array }

/** Optional settings of a {@link SecAggClient}. */
export type SecAggClientOptions = { /** Identity key whose address is `config.parties[index − 1]` (signs the advertisement). */ identityKey?: Hex }

/**
 * One hospital's side of a SecAgg session (index 1..n): long-term keys made once, then any number
 * of rounds. Rounds must increase; a round's secrets are forgotten when the next one starts.
 */
export class SecAggClient {
  readonly index: number
  readonly #config: SecAggConfig
  readonly #c: X25519KeyPair
  readonly #s: X25519KeyPair
  readonly #sign: { privateKey: KeyObject; publicKey: Uint8Array }
  readonly #identityKey: Hex | undefined
  #roster = new Map<number, Peer>()
  #lastRound = 0
  #r: { round: number; b: Uint8Array; e: Uint8Array; received: Map<number, { b: Uint8Array; e: Uint8Array }>; u1: number[] | null; revealed: Map<number, 'e' | 'b'> } | null = null

  constructor(config: SecAggConfig, index: number, options: SecAggClientOptions = {}) {
    validateSecAggConfig(config)
    if (!Number.isInteger(index) || index < 1 || index > config.n) throw new RangeError(`"index" expected an integer in [1, ${config.n}], got ${index}`)
    if (config.parties) {
      if (!options.identityKey || addressOf(options.identityKey).toLowerCase() !== config.parties[index - 1]!.toLowerCase()) throw new RangeError(`"identityKey" expected the key of ${config.parties[index - 1]}`)
    }
    this.#config = config
    this.index = index
    this.#identityKey = options.identityKey
    this.#c = generateX25519()
    this.#s = generateX25519()
    this.#sign = generateSigningKey()
  }

  /** Setup: the long-term public keys, signed. */
  advertise(): AdvertiseMessage {
    const m = { from: this.index, cPk: this.#c.publicKey, sPk: this.#s.publicKey, vk: this.#sign.publicKey }
    const digest = advertiseDigest(this.#config, m)
    return { ...m, signature: signBytes(this.#sign.privateKey, digest), ...(this.#identityKey ? { identitySignature: signDigest(this.#identityKey, digest) } : {}) }
  }

  /**
   * Setup: take the roster the server broadcast (checks every advertisement; pair keys are agreed
   * lazily, once per peer for the whole session). May be called again when parties join late; an
   * already-known party must keep its keys.
   */
  setRoster(roster: readonly AdvertiseMessage[]): void {
    for (const m of roster) {
      verifyAdvertisement(this.#config, m)
      const known = this.#roster.get(m.from)
      if (known) {
        if (Buffer.compare(Buffer.from(known.sPk), Buffer.from(m.sPk)) !== 0 || Buffer.compare(Buffer.from(known.cPk), Buffer.from(m.cPk)) !== 0 || Buffer.compare(Buffer.from(known.vk), Buffer.from(m.vk)) !== 0) throw fail(`party ${m.from} changed its long-term keys within the session`)
        continue
      }
      if (m.from === this.index && Buffer.compare(Buffer.from(m.sPk), Buffer.from(this.#s.publicKey)) !== 0) throw fail('the roster carries another key under our own index')
      this.#roster.set(m.from, { cPk: m.cPk, sPk: m.sPk, vk: m.vk, vkObj: ed25519PublicKeyObject(m.vk) })
      // the session's only X25519 agreements: once per peer, here at setup
      if (m.from !== this.index) {
        this.#pairKey(m.from)
        this.#encKey(m.from)
      }
    }
    if (!this.#roster.has(this.index)) throw fail('the roster does not list us')
  }

  #peer(j: number): Peer {
    const p = this.#roster.get(j)
    if (!p) throw fail(`party ${j} is not on the roster`)
    return p
  }
  #pairKey(j: number): Uint8Array {
    const p = this.#peer(j)
    return (p.pairKey ??= hkdfExtract(`${V}|mask|${this.#config.session}`, agree(this.#s.privateKeyObject, x25519PublicKeyObject(p.sPk), `${V}|dh`)))
  }
  #encKey(j: number): Uint8Array {
    const p = this.#peer(j)
    return (p.encKey ??= agree(this.#c.privateKeyObject, x25519PublicKeyObject(p.cPk), `${V}|enc|${this.#config.session}`))
  }

  /** Round step 1: fresh seeds b, e; their shares encrypted to every roster member; sealed pair seeds. */
  shareSeeds(round: number): ShareSeedsMessage {
    const c = this.#config
    if (!Number.isInteger(round) || round <= this.#lastRound) throw replay(`round ${round} is not after our last round ${this.#lastRound}`)
    const peers = [...this.#roster.keys()].sort((a, b) => a - b)
    if (peers.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${peers.length} hospitals advertised keys; ${c.threshold} needed` })
    this.#lastRound = round
    const b = freshSecret()
    const e = freshSecret()
    const bShares = shamirSplit(b, peers, c.threshold)
    const eShares = shamirSplit(e, peers, c.threshold)
    const received = new Map<number, { b: Uint8Array; e: Uint8Array }>()
    const ciphertexts = new Map<number, Uint8Array>()
    // one draw for every AES-GCM nonce of this message (12 random bytes each)
    const ivs = globalThis.crypto.getRandomValues(new Uint8Array(12 * (peers.length + 1)))
    peers.forEach((to, k) => {
      if (to === this.index) {
        received.set(to, { b: bShares[k]!, e: eShares[k]! })
        return
      }
      const pt = new Uint8Array(64)
      pt.set(bShares[k]!, 0)
      pt.set(eShares[k]!, 32)
      ciphertexts.set(to, seal(this.#encKey(to), pt, shareAad(c, round, this.index, to), ivs.subarray(12 * k, 12 * k + 12)))
    })
    const others = peers.filter((j) => j !== this.index)
    const seeds = new Uint8Array(32 * others.length)
    others.forEach((j, k) => seeds.set(hkdfExpand32(this.#pairKey(j), pairInfo(c, round, this.index, j)), 32 * k))
    const pairSeal = seal(pairSealKey(e), seeds, pairSealAad(c, round, this.index, others), ivs.subarray(12 * peers.length))
    this.#r = { round, b, e, received, u1: null, revealed: new Map() }
    const m = { round, from: this.index, bCommitment: commit(b, seedLabel(c, round, 'b', this.index)), eCommitment: commit(e, seedLabel(c, round, 'e', this.index)), peers: others, pairSeal, ciphertexts }
    return { ...m, signature: signBytes(this.#sign.privateKey, shareSeedsDigest(c, m)) }
  }

  /**
   * Round step 2: decrypt the shares addressed to us (refusing any that fail authentication, which
   * includes shares of another round) and send the masked input. `u1` = parties whose ShareSeeds
   * reached the server.
   */
  maskedInput(round: number, values: ArrayLike<number>, inbox: readonly { from: number; ciphertext: Uint8Array }[], u1: readonly number[]): MaskedInputMessage {
    const c = this.#config
    const r = this.#r
    if (!r || r.round !== round || r.u1) throw replay(`masked input asked for round ${round}; our open round is ${r?.round ?? 'none'}`)
    if (values.length !== c.length) throw new RangeError(`"values" expected length ${c.length}, got ${values.length}`)
    if (u1.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${u1.length} hospitals shared seeds; ${c.threshold} needed` })
    if (!u1.includes(this.index)) throw fail('U1 does not list us although we shared')
    for (const { from, ciphertext } of inbox) {
      const pt = open(this.#encKey(from), ciphertext, shareAad(c, round, from, this.index))
      if (!pt || pt.length !== 64) throw fail(`share ciphertext from party ${from} failed authentication`, 'tampered, replayed or misaddressed')
      r.received.set(from, { b: pt.subarray(0, 32), e: pt.subarray(32) })
    }
    for (const j of u1) if (!r.received.has(j)) throw fail(`no share received from party ${j} although it is listed as having shared`)
    r.u1 = [...u1]
    const y = encodeFixed(values, c.scale, c.bound)
    addInto(y, prgMask(r.b, c.length), 1)
    for (const j of u1) {
      if (j === this.index) continue
      addInto(y, prgMask(hkdfExpand32(this.#pairKey(j), pairInfo(c, round, this.index, j)), c.length), this.index < j ? 1 : -1)
    }
    const m = { round, from: this.index, y }
    return { ...m, signature: signBytes(this.#sign.privateKey, maskedDigest(c, m)) }
  }

  /**
   * Round step 3: given the survivors U2 (⊆ U1), reveal b-shares of survivors and e-shares of
   * dropped parties. Refuses (FED_ROUND_FAILED) if asked, now or in an earlier call of this round,
   * to reveal both kinds for the same party, or if U2 is smaller than t.
   */
  unmask(round: number, u2: readonly number[]): UnmaskMessage {
    const c = this.#config
    const r = this.#r
    if (!r || r.round !== round || !r.u1) throw replay(`unmasking asked for round ${round}; our masked round is ${r?.u1 ? r.round : 'none'}`)
    if (u2.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${u2.length} masked inputs; ${c.threshold} needed` })
    const surv = new Set(u2)
    for (const j of surv) if (!r.u1.includes(j)) throw fail(`survivor ${j} was not in U1`)
    const shares: UnmaskMessage['shares'] = []
    for (const j of r.u1) {
      const kind = surv.has(j) ? 'b' : 'e'
      const prev = r.revealed.get(j)
      if (prev && prev !== kind) throw fail(`refused: asked to reveal both the recovery seed and the self-mask seed of party ${j}`)
      r.revealed.set(j, kind)
      const got = r.received.get(j)!
      shares.push({ of: j, kind, share: kind === 'b' ? got.b : got.e })
    }
    const m = { round, from: this.index, shares }
    return { ...m, signature: signBytes(this.#sign.privateKey, unmaskDigest(c, m)) }
  }
}

/**
 * The server's record of revealed shares in one round: asserts it never receives both the
 * recovery-seed shares and the self-mask shares of the same party (throws FED_ROUND_FAILED
 * before storing the second kind).
 */
export class RevealLedger {
  readonly kinds = new Map<number, 'e' | 'b'>()
  record(of: number, kind: 'e' | 'b'): void {
    const prev = this.kinds.get(of)
    if (prev && prev !== kind) throw fail(`server refused to receive both the recovery seed and the self-mask seed shares of party ${of}`)
    this.kinds.set(of, kind)
  }
}

type ServerRound = {
  round: number
  phase: 'shares' | 'masked' | 'unmask' | 'done'
  shares: Map<number, ShareSeedsMessage>
  u1: number[]
  inputs: Map<number, Uint32Array>
  u2: number[]
  responses: Map<number, UnmaskMessage>
  ledger: RevealLedger
}

/**
 * The aggregating server of a SecAgg session. Messages can be fed one at a time (`receive*`, as a
 * gateway gets them) or in batches (`collect*`); every round message must carry the open round,
 * come once per party and verify under the sender's advertised key.
 */
export class SecAggServer {
  readonly #config: SecAggConfig
  #roster = new Map<number, AdvertiseMessage & { vkObj: KeyObject }>()
  #r: ServerRound | null = null
  #lastRound = 0

  constructor(config: SecAggConfig) {
    validateSecAggConfig(config)
    this.#config = config
  }

  get config(): SecAggConfig {
    return this.#config
  }

  /** The open round (null before the first). */
  get round(): number | null {
    return this.#r?.round ?? null
  }

  /** Phase of the open round. */
  get phase(): ServerRound['phase'] | null {
    return this.#r?.phase ?? null
  }

  /** Add one advertisement (setup or a late join). A party's keys are fixed for the session. */
  receiveAdvertisement(m: AdvertiseMessage): void {
    verifyAdvertisement(this.#config, m)
    if (this.#roster.has(m.from)) throw replay(`party ${m.from} already advertised its keys for this session`)
    this.#roster.set(m.from, { ...m, vkObj: ed25519PublicKeyObject(m.vk) })
  }

  /** The roster to broadcast (sorted by index). */
  roster(): AdvertiseMessage[] {
    return [...this.#roster.values()].sort((a, b) => a.from - b.from).map(({ vkObj: _vk, ...m }) => m)
  }

  /** Collect advertisements; returns the roster to broadcast. */
  collectKeys(messages: readonly AdvertiseMessage[]): AdvertiseMessage[] {
    for (const m of messages) this.receiveAdvertisement(m)
    if (this.#roster.size < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${this.#roster.size} hospitals advertised keys; ${this.#config.threshold} needed` })
    return this.roster()
  }

  /** Open round `round` (must be after every earlier round). */
  beginRound(round: number): void {
    if (!Number.isInteger(round) || round <= this.#lastRound) throw replay(`round ${round} is not after the last round ${this.#lastRound}`)
    this.#lastRound = round
    this.#r = { round, phase: 'shares', shares: new Map(), u1: [], inputs: new Map(), u2: [], responses: new Map(), ledger: new RevealLedger() }
  }

  #open(kind: ServerRound['phase'], m: { round: unknown; from: unknown }): { r: ServerRound; sender: AdvertiseMessage & { vkObj: KeyObject } } {
    const r = this.#r
    if (!r || m.round !== r.round) throw replay(`a ${kind} message for round ${String(m.round)}; the open round is ${r?.round ?? 'none'}`)
    if (r.phase !== kind) throw replay(`a ${kind} message while the round is in phase ${r.phase}`)
    const sender = typeof m.from === 'number' ? this.#roster.get(m.from) : undefined
    if (!sender) throw fail(`a ${kind} message from ${String(m.from)}, not on the roster`)
    return { r, sender }
  }

  /** Take one ShareSeeds message of the open round. */
  receiveShares(m: ShareSeedsMessage): void {
    const { r, sender } = this.#open('shares', m)
    if (r.shares.has(m.from)) throw replay(`a second ShareSeeds message from party ${m.from}`)
    if (!(m.pairSeal instanceof Uint8Array) || !(m.ciphertexts instanceof Map) || !Array.isArray(m.peers) || typeof m.bCommitment !== 'string' || typeof m.eCommitment !== 'string') throw fail(`malformed ShareSeeds message from ${m.from}`)
    if (!verifyBytes(sender.vkObj, shareSeedsDigest(this.#config, m), m.signature)) throw badSig(m.from, 'the ShareSeeds message')
    r.shares.set(m.from, m)
  }

  /** Close the ShareSeeds step: U1 and each recipient's inbox. */
  closeShares(): { u1: number[]; inboxes: Map<number, { from: number; ciphertext: Uint8Array }[]> } {
    const r = this.#r
    if (!r || r.phase !== 'shares') throw fail('no round is collecting shares')
    r.u1 = [...r.shares.keys()].sort((a, b) => a - b)
    if (r.u1.length < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${r.u1.length} hospitals shared seeds; ${this.#config.threshold} needed` })
    r.phase = 'masked'
    return { u1: r.u1, inboxes: this.#inboxes(r) }
  }

  #inboxes(r: ServerRound): Map<number, { from: number; ciphertext: Uint8Array }[]> {
    const inboxes = new Map<number, { from: number; ciphertext: Uint8Array }[]>(r.u1.map((j) => [j, []]))
    for (const j of r.u1) for (const [to, ciphertext] of r.shares.get(j)!.ciphertexts) inboxes.get(to)?.push({ from: j, ciphertext })
    return inboxes
  }

  /** The inbox of party `to` in the open round (after the ShareSeeds step closed). */
  inboxOf(to: number): { u1: number[]; inbox: { from: number; ciphertext: Uint8Array }[] } {
    const r = this.#r
    if (!r || r.phase === 'shares') throw fail('the ShareSeeds step is still open')
    return { u1: r.u1, inbox: this.#inboxes(r).get(to) ?? [] }
  }

  /** Collect ShareSeeds; returns U1 and each recipient's inbox. */
  collectShares(messages: readonly ShareSeedsMessage[]): { u1: number[]; inboxes: Map<number, { from: number; ciphertext: Uint8Array }[]> } {
    for (const m of messages) this.receiveShares(m)
    return this.closeShares()
  }

  /** Take one masked input of the open round. */
  receiveMasked(m: MaskedInputMessage): void {
    const { r, sender } = this.#open('masked', m)
    if (!r.u1.includes(m.from)) throw fail(`masked input from ${m.from}, not in U1`)
    if (r.inputs.has(m.from)) throw replay(`a second masked input from party ${m.from}`)
    if (!(m.y instanceof Uint32Array) || m.y.length !== 2 * this.#config.length) throw fail(`masked input of ${m.from} has the wrong length`)
    if (!verifyBytes(sender.vkObj, maskedDigest(this.#config, m), m.signature)) throw badSig(m.from, 'the masked input')
    r.inputs.set(m.from, m.y)
  }

  /** Close the masked-input step; returns U2. */
  closeMasked(): number[] {
    const r = this.#r
    if (!r || r.phase !== 'masked') throw fail('no round is collecting masked inputs')
    r.u2 = [...r.inputs.keys()].sort((a, b) => a - b)
    if (r.u2.length < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${r.u2.length} masked inputs; ${this.#config.threshold} needed`, details: 'too many dropouts: the sum cannot be unmasked' })
    r.phase = 'unmask'
    return r.u2
  }

  /** Collect masked inputs; returns U2. */
  collectMasked(messages: readonly MaskedInputMessage[]): number[] {
    for (const m of messages) this.receiveMasked(m)
    return this.closeMasked()
  }

  /** Take one unmasking response of the open round. */
  receiveUnmask(m: UnmaskMessage): void {
    const { r, sender } = this.#open('unmask', m)
    if (!r.u2.includes(m.from)) throw fail(`unmasking response from ${m.from}, not a survivor`)
    if (r.responses.has(m.from)) throw replay(`a second unmasking response from party ${m.from}`)
    if (!Array.isArray(m.shares)) throw fail(`malformed unmasking response from ${m.from}`)
    if (!verifyBytes(sender.vkObj, unmaskDigest(this.#config, m), m.signature)) throw badSig(m.from, 'the unmasking response')
    const u2 = new Set(r.u2)
    for (const s of m.shares) {
      const expected = u2.has(s.of) ? 'b' : 'e'
      if (s.kind !== expected) throw fail(`party ${m.from} revealed a ${String(s.kind)}-share of ${s.of}; expected ${expected}`)
      if (!r.u1.includes(s.of) || !(s.share instanceof Uint8Array) || s.share.length !== 32) throw fail(`party ${m.from} revealed a malformed share of ${s.of}`)
      r.ledger.record(s.of, s.kind)
    }
    r.responses.set(m.from, m)
  }

  /** Parties whose ShareSeeds message was taken in the open round. */
  get sharers(): number[] {
    return [...(this.#r?.shares.keys() ?? [])].sort((a, b) => a - b)
  }

  /** Parties whose masked input was taken in the open round. */
  get maskers(): number[] {
    return [...(this.#r?.inputs.keys() ?? [])].sort((a, b) => a - b)
  }

  /** U2 of the open round (empty before the masked-input step closed). */
  get survivors(): number[] {
    return [...(this.#r?.u2 ?? [])]
  }

  /** Survivors that answered the unmasking so far. */
  get responders(): number[] {
    return [...(this.#r?.responses.keys() ?? [])].sort((a, b) => a - b)
  }

  /** Which secret's shares were revealed per party in the open round. */
  get revealed(): Map<number, 'e' | 'b'> {
    return this.#r?.ledger.kinds ?? new Map()
  }

  /**
   * Reconstruct and unmask. Needs ≥ t unmasking responses. Returns the exact sum over U2 (decoded
   * reals and the raw Z_2^64 sum) and the contributors. A rebuilt seed that does not match its
   * commitment, or sealed pair seeds that do not open, fail the round (never a wrong sum).
   */
  finish(): { sum: Float64Array; raw: Uint32Array; contributors: number[] } {
    const c = this.#config
    const r = this.#r
    if (!r || r.phase !== 'unmask') throw fail('no round is unmasking')
    if (r.responses.size < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${r.responses.size} survivors answered the unmasking; ${c.threshold} needed` })
    const byParty = new Map<number, { x: number; share: Uint8Array }[]>()
    for (const resp of r.responses.values()) {
      for (const s of resp.shares) {
        let list = byParty.get(s.of)
        if (!list) byParty.set(s.of, (list = []))
        list.push({ x: resp.from, share: s.share })
      }
    }
    const u2set = new Set(r.u2)
    const sum = new Uint32Array(2 * c.length)
    for (const j of r.u2) addInto(sum, r.inputs.get(j)!, 1)
    for (const j of r.u1) {
      const shares = (byParty.get(j) ?? []).slice(0, c.threshold)
      if (shares.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${shares.length} shares of party ${j}; ${c.threshold} needed` })
      const secret = shamirCombine(shares)
      const msg = r.shares.get(j)!
      if (u2set.has(j)) {
        if (!secret || commit(secret, seedLabel(c, r.round, 'b', j)) !== msg.bCommitment) throw fail(`self-mask seed of party ${j} does not match its commitment`)
        addInto(sum, prgMask(secret, c.length), -1)
      } else {
        if (!secret || commit(secret, seedLabel(c, r.round, 'e', j)) !== msg.eCommitment) throw fail(`recovery seed of dropped party ${j} does not match its commitment`)
        const seeds = open(pairSealKey(secret), msg.pairSeal, pairSealAad(c, r.round, j, msg.peers))
        if (!seeds || seeds.length !== 32 * msg.peers.length) throw fail(`the sealed pair seeds of dropped party ${j} do not open`)
        for (const k of r.u2) {
          const at = msg.peers.indexOf(k)
          if (at < 0) throw fail(`dropped party ${j} sealed no pair seed for survivor ${k}`)
          // k added ±PRG(p_kj): + when k < j
          addInto(sum, prgMask(seeds.subarray(32 * at, 32 * at + 32), c.length), k < j ? -1 : 1)
        }
      }
    }
    r.phase = 'done'
    return { sum: decodeFixed(sum, c.scale), raw: sum, contributors: r.u2 }
  }
}
