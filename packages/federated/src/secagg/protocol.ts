/**
 * @module secagg/protocol
 * SecAgg-style masked aggregation (Bonawitz et al. 2017, semi-honest server, dropout recovery).
 *
 * 1. AdvertiseKeys: hospital i publishes two X25519 public keys, c_i (share encryption) and s_i (masks).
 * 2. ShareKeys: i draws a self-mask seed b_i, Shamir-shares (t-of-n) its mask secret key s_i^SK
 *    and b_i, and sends share k to hospital k encrypted under AES-256-GCM with a key from
 *    X25519(c_i^SK, c_k), bound to (session, round, sender, recipient).
 * 3. MaskedInput: i sends y_i = x_i + PRG(b_i) + Σ_{j<i... } ±PRG(s_ij) over Z_2^64, with s_ij =
 *    X25519(s_i^SK, s_j) agreed between every pair (+ when i < j, − when i > j).
 * 4. Unmasking: the server names the survivors U2; each responding hospital reveals, for every
 *    other party, EITHER its share of s^SK (party dropped: pair masks must be cancelled) OR its share
 *    of b (party survived: self mask removed) — never both for the same party. Revealing both
 *    would unmask that party's input; clients refuse it ({@link SecAggClient.unmask}) and the
 *    server's {@link RevealLedger} asserts it never receives both.
 *
 * Fixed point: values are encoded as round(v · scale) in Z_2^64 (two's complement); the session
 * requires n · bound · scale < 2^53 so every encoding and the sum of any subset are exact
 * integers in a double and decode exactly. Elements are stored as (lo, hi) uint32 word pairs.
 */
import { FederatedError } from '../errors.js'
import type { KeyObject } from 'node:crypto'
import { agree, commit, generateX25519, open, prgMask, seal, shamirCombine, shamirSplit, sharableSecret, x25519PrivateKeyObject, x25519PublicKey, x25519PublicKeyObject, type X25519KeyPair } from './crypto.js'

/** Public parameters of one SecAgg round. */
export type SecAggConfig = {
  /** Session/round label bound into every key derivation and ciphertext. */
  session: string
  round: number
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
}

/** Message 1: public keys. */
export type AdvertiseMessage = { from: number; cPk: Uint8Array; sPk: Uint8Array }
/** Message 2: encrypted shares, one per recipient, and a commitment to the self-mask seed. */
export type ShareKeysMessage = { from: number; bCommitment: string; ciphertexts: Map<number, Uint8Array> }
/** Message 3: masked vector. */
export type MaskedInputMessage = { from: number; y: Uint32Array }
/** Message 4: revealed shares. `kind` names which secret the share is of. */
export type UnmaskMessage = { from: number; shares: { of: number; kind: 'sk' | 'b'; share: Uint8Array }[] }

/** Validate a config; RangeError naming the bad field. */
export function validateSecAggConfig(c: SecAggConfig): void {
  if (!Number.isInteger(c.n) || c.n < 1 || c.n > 1000) throw new RangeError(`"n" expected an integer in [1, 1000], got ${c.n}`)
  if (!Number.isInteger(c.threshold) || c.threshold < Math.min(2, c.n) || c.threshold > c.n) throw new RangeError(`"threshold" expected an integer in [${Math.min(2, c.n)}, ${c.n}], got ${c.threshold}`)
  if (!Number.isInteger(c.length) || c.length < 1) throw new RangeError(`"length" expected a positive integer, got ${c.length}`)
  if (!(c.scale > 0) || !(c.bound > 0)) throw new RangeError(`"scale" and "bound" expected positive numbers`)
  if (!(c.n * c.bound * c.scale < 2 ** 53)) throw new RangeError(`"scale" too large: n · bound · scale = ${c.n * c.bound * c.scale} must be < 2^53 for an exact sum`)
}

const shareAad = (c: SecAggConfig, from: number, to: number): string => `krain-secagg|${c.session}|${c.round}|${from}->${to}`
const pairLabel = (c: SecAggConfig): string => `krain-secagg-mask|${c.session}|${c.round}`
const seedLabel = (c: SecAggConfig, i: number): string => `krain-secagg-b|${c.session}|${c.round}|${i}`

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

/** One hospital's side of a SecAgg round (index 1..n). */
export class SecAggClient {
  readonly index: number
  readonly #config: SecAggConfig
  readonly #c: X25519KeyPair
  readonly #s: X25519KeyPair
  readonly #b: Uint8Array
  readonly #cKey: KeyObject
  readonly #sKey: KeyObject
  #roster = new Map<number, { cPk: Uint8Array; sPk: Uint8Array; sObj?: KeyObject }>()
  #encKeys = new Map<number, Uint8Array>()
  #received = new Map<number, { sk: Uint8Array; b: Uint8Array }>()
  #u1: number[] = []
  #revealed = new Map<number, 'sk' | 'b'>()

  constructor(config: SecAggConfig, index: number) {
    validateSecAggConfig(config)
    if (!Number.isInteger(index) || index < 1 || index > config.n) throw new RangeError(`"index" expected an integer in [1, ${config.n}], got ${index}`)
    this.#config = config
    this.index = index
    this.#c = generateX25519()
    let s = generateX25519()
    let sk = sharableSecret(s.secretKey)
    while (!sk) sk = sharableSecret((s = generateX25519()).secretKey)
    this.#s = { ...s, secretKey: sk }
    let b = sharableSecret(globalThis.crypto.getRandomValues(new Uint8Array(32)))
    while (!b) b = sharableSecret(globalThis.crypto.getRandomValues(new Uint8Array(32)))
    this.#b = b
    this.#cKey = this.#c.privateKeyObject
    this.#sKey = this.#s.privateKeyObject
  }

  /** AES key shared with party j (same both directions; the AAD binds the direction). */
  #encKey(j: number, cPk: Uint8Array): Uint8Array {
    let k = this.#encKeys.get(j)
    if (!k) this.#encKeys.set(j, (k = agree(this.#cKey, x25519PublicKeyObject(cPk), 'krain-secagg-enc')))
    return k
  }

  /** Step 1. */
  advertise(): AdvertiseMessage {
    return { from: this.index, cPk: this.#c.publicKey, sPk: this.#s.publicKey }
  }

  /** Step 2: given the roster of advertised keys (≥ t), share s^SK and b to every other party. */
  shareKeys(roster: readonly AdvertiseMessage[]): ShareKeysMessage {
    const c = this.#config
    if (roster.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${roster.length} hospitals advertised keys; ${c.threshold} needed` })
    for (const m of roster) this.#roster.set(m.from, { cPk: m.cPk, sPk: m.sPk })
    const points = roster.map((m) => m.from)
    const skShares = shamirSplit(this.#s.secretKey, points, c.threshold)
    const bShares = shamirSplit(this.#b, points, c.threshold)
    const ciphertexts = new Map<number, Uint8Array>()
    roster.forEach((m, k) => {
      const pt = new Uint8Array(2 * skShares[k]!.length)
      pt.set(skShares[k]!, 0)
      pt.set(bShares[k]!, skShares[k]!.length)
      if (m.from === this.index) this.#received.set(this.index, { sk: skShares[k]!, b: bShares[k]! })
      else ciphertexts.set(m.from, seal(this.#encKey(m.from, m.cPk), pt, shareAad(c, this.index, m.from)))
    })
    return { from: this.index, bCommitment: commit(this.#b, seedLabel(c, this.index)), ciphertexts }
  }

  /**
   * Step 3: decrypt the shares addressed to us (refusing any that fail authentication) and send
   * the masked input. `u1` = parties whose ShareKeys reached the server.
   */
  maskedInput(values: ArrayLike<number>, inbox: readonly { from: number; ciphertext: Uint8Array }[], u1: readonly number[]): MaskedInputMessage {
    const c = this.#config
    if (values.length !== c.length) throw new RangeError(`"values" expected length ${c.length}, got ${values.length}`)
    if (u1.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${u1.length} hospitals shared keys; ${c.threshold} needed` })
    for (const { from, ciphertext } of inbox) {
      const sender = this.#roster.get(from)
      if (!sender) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `share from unknown party ${from}` })
      const pt = open(this.#encKey(from, sender.cPk), ciphertext, shareAad(c, from, this.index))
      if (!pt) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `share ciphertext from party ${from} failed authentication`, details: 'tampered, replayed or misaddressed' })
      this.#received.set(from, { sk: pt.subarray(0, pt.length / 2), b: pt.subarray(pt.length / 2) })
    }
    for (const j of u1) if (!this.#received.has(j)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `no share received from party ${j} although it is listed as having shared` })
    this.#u1 = [...u1]
    const y = encodeFixed(values, c.scale, c.bound)
    addInto(y, prgMask(this.#b, c.length), 1)
    for (const j of u1) {
      if (j === this.index) continue
      const peer = this.#roster.get(j)!
      peer.sObj ??= x25519PublicKeyObject(peer.sPk)
      const seed = agree(this.#sKey, peer.sObj, pairLabel(c))
      addInto(y, prgMask(seed, c.length), this.index < j ? 1 : -1)
    }
    return { from: this.index, y }
  }

  /**
   * Step 4: given the survivors U2 (⊆ U1), reveal b-shares of survivors and sk-shares of dropped
   * parties. Refuses (FED_ROUND_FAILED) if asked, now or in an earlier call, to reveal both kinds
   * for the same party, or if U2 is smaller than t.
   */
  unmask(u2: readonly number[]): UnmaskMessage {
    const c = this.#config
    if (u2.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${u2.length} masked inputs; ${c.threshold} needed` })
    const surv = new Set(u2)
    for (const j of surv) if (!this.#u1.includes(j)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `survivor ${j} was not in U1` })
    const shares: UnmaskMessage['shares'] = []
    for (const j of this.#u1) {
      const kind = surv.has(j) ? 'b' : 'sk'
      const prev = this.#revealed.get(j)
      if (prev && prev !== kind) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `refused: asked to reveal both the mask key and the self-mask seed of party ${j}` })
      this.#revealed.set(j, kind)
      const r = this.#received.get(j)!
      shares.push({ of: j, kind, share: kind === 'b' ? r.b : r.sk })
    }
    return { from: this.index, shares }
  }
}

/**
 * The server's record of revealed shares: asserts it never receives both the mask-key shares and
 * the self-mask shares of the same party (throws FED_ROUND_FAILED before storing the second kind).
 */
export class RevealLedger {
  readonly kinds = new Map<number, 'sk' | 'b'>()
  record(of: number, kind: 'sk' | 'b'): void {
    const prev = this.kinds.get(of)
    if (prev && prev !== kind) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `server refused to receive both the mask key and the self-mask seed shares of party ${of}` })
    this.kinds.set(of, kind)
  }
}

/** The aggregating server of one SecAgg round. */
export class SecAggServer {
  readonly #config: SecAggConfig
  readonly ledger = new RevealLedger()
  #roster = new Map<number, AdvertiseMessage>()
  #commitments = new Map<number, string>()
  #u1: number[] = []
  #inputs = new Map<number, Uint32Array>()

  constructor(config: SecAggConfig) {
    validateSecAggConfig(config)
    this.#config = config
  }

  /** Collect AdvertiseKeys; returns the roster to broadcast. */
  collectKeys(messages: readonly AdvertiseMessage[]): AdvertiseMessage[] {
    for (const m of messages) {
      if (!Number.isInteger(m.from) || m.from < 1 || m.from > this.#config.n || this.#roster.has(m.from)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `bad or duplicate advertisement from ${m.from}` })
      this.#roster.set(m.from, m)
    }
    if (this.#roster.size < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${this.#roster.size} hospitals advertised keys; ${this.#config.threshold} needed` })
    return [...this.#roster.values()].sort((a, b) => a.from - b.from)
  }

  /** Collect ShareKeys; returns U1 and each recipient's inbox. */
  collectShares(messages: readonly ShareKeysMessage[]): { u1: number[]; inboxes: Map<number, { from: number; ciphertext: Uint8Array }[]> } {
    for (const m of messages) {
      if (!this.#roster.has(m.from)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `shares from unknown party ${m.from}` })
      this.#commitments.set(m.from, m.bCommitment)
    }
    this.#u1 = messages.map((m) => m.from).sort((a, b) => a - b)
    if (this.#u1.length < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${this.#u1.length} hospitals shared keys; ${this.#config.threshold} needed` })
    const inboxes = new Map<number, { from: number; ciphertext: Uint8Array }[]>(this.#u1.map((j) => [j, []]))
    for (const m of messages) for (const [to, ciphertext] of m.ciphertexts) inboxes.get(to)?.push({ from: m.from, ciphertext })
    return { u1: this.#u1, inboxes }
  }

  /** Collect masked inputs; returns U2. */
  collectMasked(messages: readonly MaskedInputMessage[]): number[] {
    for (const m of messages) {
      if (!this.#u1.includes(m.from)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `masked input from ${m.from}, not in U1` })
      if (!(m.y instanceof Uint32Array) || m.y.length !== 2 * this.#config.length) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `masked input of ${m.from} has ${m.y.length} words` })
      this.#inputs.set(m.from, m.y)
    }
    const u2 = [...this.#inputs.keys()].sort((a, b) => a - b)
    if (u2.length < this.#config.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${u2.length} masked inputs; ${this.#config.threshold} needed`, details: 'too many dropouts: the sum cannot be unmasked' })
    return u2
  }

  /**
   * Reconstruct and unmask. Needs ≥ t unmasking responses. Returns the exact sum over U2 (decoded
   * reals and the raw Z_2^64 sum) and the contributors.
   */
  finish(responses: readonly UnmaskMessage[]): { sum: Float64Array; raw: Uint32Array; contributors: number[] } {
    const c = this.#config
    const u2 = [...this.#inputs.keys()].sort((a, b) => a - b)
    const u2set = new Set(u2)
    const valid = responses.filter((r) => u2set.has(r.from))
    if (valid.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${valid.length} survivors answered the unmasking; ${c.threshold} needed` })
    const byParty = new Map<number, { x: number; share: Uint8Array }[]>()
    for (const r of valid) {
      for (const s of r.shares) {
        const expected = u2set.has(s.of) ? 'b' : 'sk'
        if (s.kind !== expected) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `party ${r.from} revealed a ${s.kind}-share of ${s.of}; expected ${expected}` })
        this.ledger.record(s.of, s.kind)
        let list = byParty.get(s.of)
        if (!list) byParty.set(s.of, (list = []))
        list.push({ x: r.from, share: s.share })
      }
    }
    const sum = new Uint32Array(2 * c.length)
    for (const j of u2) addInto(sum, this.#inputs.get(j)!, 1)
    for (const j of this.#u1) {
      const shares = (byParty.get(j) ?? []).slice(0, c.threshold)
      if (shares.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `only ${shares.length} shares of party ${j}; ${c.threshold} needed` })
      const secret = shamirCombine(shares)
      if (u2set.has(j)) {
        if (!secret || commit(secret, seedLabel(c, j)) !== this.#commitments.get(j)) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `self-mask seed of party ${j} does not match its commitment` })
        addInto(sum, prgMask(secret, c.length), -1)
      } else {
        const sPk = this.#roster.get(j)!.sPk
        if (!secret || Buffer.compare(Buffer.from(x25519PublicKey(secret)), Buffer.from(sPk)) !== 0) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `reconstructed mask key of dropped party ${j} does not match its public key` })
        const sk = x25519PrivateKeyObject(secret)
        for (const k of u2) {
          const seed = agree(sk, x25519PublicKeyObject(this.#roster.get(k)!.sPk), pairLabel(c))
          // k added ±PRG(s_kj): + when k < j
          addInto(sum, prgMask(seed, c.length), k < j ? -1 : 1)
        }
      }
    }
    return { sum: decodeFixed(sum, c.scale), raw: sum, contributors: u2 }
  }
}
