/**
 * @module client/psi-participant
 * An institution's side of a PSI session through a gateway. The gateway only relays
 * chunks of blinded points; identifiers, the X25519 scalar and the Paillier secret key stay in
 * this process.
 *
 * The protocol is a ring over the session's parties P_0 … P_{m−1} (P_0 is the leader, the party
 * that learns the output). Each owner o hashes its identifiers to curve25519 and blinds them with
 * its key, and the set travels o → o+1 → … → o−1, each party blinding it with its own key (hop h
 * is stream `ring-<o>-<h>`); the party that applies the last key sends the fully blinded set to
 * the leader (`final-<o>`; the leader keeps the one it completes itself). Every party but the
 * owner shuffles a set before passing it on (a global shuffle, after its last chunk), except the
 * leader's own set in `intersection` mode, which keeps its order so the leader can name its
 * matching identifiers. The leader then counts, for each of its points, in how many other sets it
 * occurs:
 *  - `intersection`: the leader learns its identifiers present in every set;
 *  - `cardinality`: the leader learns only how many there are (its own set was shuffled too);
 *  - `sum`: the value holder V sends Enc_V(value) along with its points; the leader adds the
 *    ciphertexts of V's points present in every set, rerandomises the total and sends it to V
 *    (`sum`), which decrypts it: V learns the sum, the leader the cardinality.
 * Everyone learns every set's size. The leader also sees which fully blinded points of two other
 * sets coincide (so pairwise intersection sizes); semi-honest parties, no collusion with the
 * leader. For two parties this is exactly the two-party ECDH-PSI of `@krain/psi`.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { add, decrypt, encryptWithPrivateKey, generateKeyPair, PaillierCiphertext, PaillierPublicKey, rerandomize, type PaillierPrivateKey } from '@krain/he'
import { decodeFrame, DigestTable, encodeFrame, MSG_BLINDED, MSG_SUM, PsiError, PsiPool, type PsiFrame, type PsiVariant } from '@krain/psi'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { GatewayHttp } from './http.js'

/** A session's configuration as the gateway returns it. */
export type PsiSessionInfo = { sessionId: string; parties: string[]; mode: PsiVariant; valueHolder: string | null; creator: string; createdAt: number; expiresAt: number }

/** Progress of {@link PsiParticipant.run}: `done` items of `stream` (of `total` when known). */
export type PsiParticipantProgress = { step: 'hash' | 'forward' | 'compare' | 'sum'; stream: string; done: number; total?: number }

/** What a party learns. */
export type PsiParticipantResult = { role: 'leader' | 'value-holder' | 'forwarder'; mode: PsiVariant; intersection?: string[]; cardinality?: number; sum?: bigint }

/** Parameters of {@link PsiParticipant}. */
export type PsiParticipantParameters = {
  /** Gateway base URL. */
  url: string
  /** The institution's wallet key: signs in. Stays local. */
  privateKey: Hex
  /** The session (32 hex characters). */
  sessionId: string
  /** This party's identifiers (distinct strings). */
  ids: readonly string[]
  /** `sum`, value holder only: one non-negative integer per identifier. */
  values?: readonly (bigint | number)[]
  /** Points per chunk (default 8192). */
  chunkSize?: number
  /** A worker pool to share (else one is created and closed). */
  pool?: PsiPool
  /** `sum`, value holder: Paillier modulus bits (default 3072). */
  paillierBits?: 2048 | 3072
  /** Long-poll length per fetch (ms). */
  waitMs?: number
  /** Give up waiting for a peer's chunk after this long (ms). */
  timeoutMs?: number
  onProgress?: (p: PsiParticipantProgress) => void
  fetch?: typeof fetch
}

type Wire = { chunks: { from: string; stream: string; index: number; last: boolean; data: string }[]; last: boolean }
type Records = { points: Buffer; values: Buffer; valueBytes: number; n: number }

/** One institution in one PSI session. */
export class PsiParticipant {
  readonly http: GatewayHttp
  readonly sessionId: string
  readonly address: string
  private readonly ids: readonly string[]
  private readonly values: bigint[] | undefined
  private readonly chunkSize: number
  private readonly givenPool: PsiPool | undefined
  private readonly paillierBits: 2048 | 3072
  private readonly waitMs: number
  private readonly timeoutMs: number
  private readonly onProgress: ((p: PsiParticipantProgress) => void) | undefined
  private readonly key = randomBytes(32)

  constructor(p: PsiParticipantParameters) {
    if (!/^[0-9a-f]{32}$/.test(p.sessionId)) throw new TypeError('"sessionId" expected 32 lower-case hex characters')
    if (!Array.isArray(p.ids) || p.ids.some((x) => typeof x !== 'string')) throw new TypeError('"ids" expected an array of strings')
    if (new Set(p.ids).size !== p.ids.length) throw new RangeError('"ids" expected distinct identifiers')
    const chunkSize = p.chunkSize ?? 8192
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1 << 16) throw new RangeError(`"chunkSize" expected an integer in [1, 65536], got ${chunkSize}`)
    if (p.values !== undefined) {
      if (!Array.isArray(p.values) || p.values.length !== p.ids.length) throw new TypeError('"values" expected one non-negative integer per identifier')
      this.values = p.values.map((v, i) => {
        const b = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : -1n
        if (b < 0n) throw new RangeError(`"values[${i}]" expected a non-negative integer, got ${String(v)}`)
        return b
      })
    }
    const account = privateKeyToAccount(p.privateKey)
    this.http = new GatewayHttp({ url: p.url, account, fetch: p.fetch })
    this.address = account.address.toLowerCase()
    this.sessionId = p.sessionId
    this.ids = p.ids
    this.chunkSize = chunkSize
    this.givenPool = p.pool
    this.paillierBits = p.paillierBits ?? 3072
    this.waitMs = p.waitMs ?? 20_000
    this.timeoutMs = p.timeoutMs ?? 30 * 60_000
    this.onProgress = p.onProgress
  }

  /**
   * Open a session on a gateway (any hospital may; it need not be a party).
   * @example
   * ```ts
   * const { sessionId } = await PsiParticipant.createSession({ url, privateKey, parties: [a, b, c], mode: 'cardinality' })
   * ```
   */
  static async createSession(p: { url: string; privateKey: Hex; parties: string[]; mode: PsiVariant; valueHolder?: string; expiresInMs?: number; fetch?: typeof fetch }): Promise<PsiSessionInfo> {
    const http = new GatewayHttp({ url: p.url, account: privateKeyToAccount(p.privateKey), fetch: p.fetch })
    return http.request<PsiSessionInfo>('POST', '/v1/psi/sessions', { body: { parties: p.parties, mode: p.mode, ...(p.valueHolder ? { valueHolder: p.valueHolder } : {}), ...(p.expiresInMs ? { expiresInMs: p.expiresInMs } : {}) } })
  }

  /** The session's configuration and per-stream progress. */
  status(): Promise<PsiSessionInfo & { expired: boolean; streams: { sender: string; recipient: string; stream: string; chunks: number; bytes: number; last: boolean }[] }> {
    return this.http.request('GET', `/v1/psi/sessions/${this.sessionId}`)
  }

  /**
   * Take part until this party's output is known.
   * @throws PsiError (`PSI_NOT_A_PARTY`, `PSI_TIMEOUT`, frame errors), KrainHttpError (refused by the gateway)
   */
  async run(): Promise<PsiParticipantResult> {
    const config = await this.status()
    const parties = config.parties.map((a) => a.toLowerCase())
    const me = parties.indexOf(this.address)
    if (me < 0) throw new PsiError('PSI_NOT_A_PARTY', { shortMessage: `${this.address} is not a party of PSI session ${this.sessionId}` })
    const m = parties.length
    const mode = config.mode
    const holder = config.valueHolder ? parties.indexOf(config.valueHolder.toLowerCase()) : -1
    if (mode === 'sum' && me === holder && this.values === undefined) throw new TypeError('"values" expected: this party holds the values of a sum session')
    if (this.values !== undefined && me !== holder) throw new RangeError('"values" given, but this party is not the value holder of the session')
    const pool = this.givenPool ?? new PsiPool()
    const ctx: Ctx = { parties, me, m, mode, holder, sid: Buffer.from(this.sessionId, 'hex'), pool }
    try {
      let paillier: { publicKey: PaillierPublicKey; privateKey: PaillierPrivateKey } | undefined
      if (mode === 'sum' && me === holder) {
        paillier = await generateKeyPair({ bits: this.paillierBits })
        const total = this.values!.reduce((s, v) => s + v, 0n)
        if (total >= paillier.publicKey.n / 2n) throw new PsiError('PSI_SUM_OVERFLOW', { shortMessage: 'the sum of the values may exceed the Paillier plaintext space' })
        await this.post(parties[0]!, 'paillier-key', 0, true, Buffer.from(JSON.stringify({ n: paillier.publicKey.n.toString(16) })))
      }
      const tasks: Promise<unknown>[] = [this.ownSet(ctx, paillier?.privateKey)]
      let local: Promise<Records> | undefined
      for (let o = 0; o < m; o++) {
        if (o === me) continue
        const t = this.forward(ctx, o)
        if (me === 0 && (o - 1 + m) % m === 0) local = t as Promise<Records>
        tasks.push(t)
      }
      let result: PsiParticipantResult = { role: me === 0 ? 'leader' : me === holder ? 'value-holder' : 'forwarder', mode }
      if (me === 0) tasks.push(this.compare(ctx, local!).then((r) => void (result = { ...result, ...r })))
      await Promise.all(tasks)
      if (paillier) {
        const [f] = await this.collect(ctx, parties[0]!, 'sum', MSG_SUM, 1)
        const v = bigFromBytes(f!.values)
        const pk = paillier.publicKey
        if (v <= 0n || v >= pk.nSquared) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'the sum ciphertext lies outside Z*_{n²}' })
        result.sum = decrypt(paillier.privateKey, new PaillierCiphertext(pk, v))
        this.onProgress?.({ step: 'sum', stream: 'sum', done: 1, total: 1 })
      }
      return result
    } finally {
      if (!this.givenPool) await pool.close()
    }
  }

  /** Hash, blind and send this party's own set (hop 1 of its ring). */
  private async ownSet(ctx: Ctx, paillierKey: PaillierPrivateKey | undefined): Promise<void> {
    const n = this.ids.length
    const order = Array.from({ length: n }, (_, i) => i)
    if (ctx.me !== 0 || ctx.mode !== 'intersection') shuffleArray(order)
    const next = ctx.parties[(ctx.me + 1) % ctx.m]!
    const stream = `ring-${ctx.me}-1`
    const vb = paillierKey ? byteLen(paillierKey.publicKey.nSquared) : 0
    let index = 0
    for (let lo = 0; lo < n || (n === 0 && index === 0); lo += this.chunkSize) {
      const hi = Math.min(n, lo + this.chunkSize)
      const pts = await ctx.pool.hashAndBlind(order.slice(lo, hi).map((i) => this.ids[i]!), this.key)
      const values = Buffer.alloc((hi - lo) * vb)
      if (paillierKey) for (let i = lo; i < hi; i++) values.set(toFixed(encryptWithPrivateKey(paillierKey, this.values![order[i]!]!).value, vb), (i - lo) * vb)
      await this.post(next, stream, index, hi >= n, this.frame(ctx, MSG_BLINDED, pts, index, hi >= n, values, vb))
      index++
      this.onProgress?.({ step: 'hash', stream, done: hi, total: n })
      if (n === 0) break
    }
  }

  /**
   * Blind the set of owner `o` arriving from the previous party and pass it on: to the next party,
   * or, with the last key applied, to the leader (or keep it, at the leader: the returned records).
   */
  private async forward(ctx: Ctx, o: number): Promise<Records | undefined> {
    const { m, me, parties } = ctx
    const h = (me - o + m) % m
    const prev = parties[(me - 1 + m) % m]!
    const inStream = `ring-${o}-${h}`
    const final = h + 1 === m
    const to = final ? (me === 0 ? null : parties[0]!) : parties[(me + 1) % m]!
    const outStream = final ? `final-${o}` : `ring-${o}-${h + 1}`
    const ordered = o === 0 && ctx.mode === 'intersection'
    const acc: { pts: Buffer[]; vals: Buffer[]; n: number; vb: number } = { pts: [], vals: [], n: 0, vb: 0 }
    let index = 0
    for await (const f of this.incoming(ctx, prev, inStream, MSG_BLINDED)) {
      const pts = f.count ? await ctx.pool.blind(f.points, this.key) : Buffer.alloc(0)
      if (ordered && to !== null) {
        await this.post(to, outStream, index, f.last, this.frame(ctx, MSG_BLINDED, pts, index, f.last, f.values, f.valueBytes))
        index++
      } else (acc.pts.push(pts), acc.vals.push(Buffer.from(f.values)), (acc.vb = f.valueBytes))
      acc.n += f.count
      this.onProgress?.({ step: 'forward', stream: inStream, done: acc.n })
    }
    if (ordered && to !== null) return undefined
    const recs: Records = { points: Buffer.concat(acc.pts), values: Buffer.concat(acc.vals), valueBytes: acc.vb, n: acc.n }
    if (!ordered) shuffleRecords(recs)
    if (to === null) return recs
    for (let lo = 0; lo < recs.n || (recs.n === 0 && index === 0); lo += this.chunkSize) {
      const hi = Math.min(recs.n, lo + this.chunkSize)
      const last = hi >= recs.n
      await this.post(to, outStream, index, last, this.frame(ctx, MSG_BLINDED, recs.points.subarray(lo * 32, hi * 32), index, last, recs.values.subarray(lo * recs.valueBytes, hi * recs.valueBytes), recs.valueBytes))
      index++
      if (recs.n === 0) break
    }
    return undefined
  }

  /** Leader: compare the fully blinded sets; in `sum`, send the encrypted total to the value holder. */
  private async compare(ctx: Ctx, local: Promise<Records>): Promise<Partial<PsiParticipantResult>> {
    const { m, parties, mode, holder } = ctx
    const n0 = this.ids.length
    const table = new DigestTable(Math.max(1, n0))
    let pos = 0
    for await (const f of this.incoming(ctx, parties[m - 1]!, 'final-0', MSG_BLINDED)) {
      for (let i = 0; i < f.count; i++) table.insert(f.points, i * 32, pos + i)
      pos += f.count
      this.onProgress?.({ step: 'compare', stream: 'final-0', done: pos, total: n0 })
    }
    if (pos !== n0) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: `got ${pos} fully blinded points back for ${n0} identifiers` })
    const counts = new Uint8Array(n0)
    let pk: PaillierPublicKey | undefined
    if (mode === 'sum') {
      const [f] = await this.collectRaw(parties[holder]!, 'paillier-key')
      const n = BigInt('0x' + (JSON.parse(f!.toString('utf8')) as { n: string }).n)
      pk = new PaillierPublicKey(n)
    }
    let sumCt: PaillierCiphertext | undefined
    const owners = Array.from({ length: m - 1 }, (_, k) => k + 1).sort((a, b) => (a === holder ? 1 : 0) - (b === holder ? 1 : 0)) // the value holder last
    for (const [k, o] of owners.entries()) {
      const seen = new Uint8Array(n0)
      const isHolder = mode === 'sum' && o === holder
      const visit = (points: Uint8Array, values: Uint8Array, vb: number, count: number): void => {
        for (let i = 0; i < count; i++) {
          const j = table.get(points, i * 32)
          if (j < 0 || seen[j] || counts[j] !== k) continue
          seen[j] = 1
          counts[j]!++
          if (isHolder) {
            if (vb !== byteLen(pk!.nSquared)) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'ciphertexts of the wrong size' })
            const v = bigFromBytes(values.subarray(i * vb, (i + 1) * vb))
            if (v <= 0n || v >= pk!.nSquared) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'a ciphertext lies outside Z*_{n²}' })
            const ct = new PaillierCiphertext(pk!, v)
            sumCt = sumCt ? add(sumCt, ct) : ct
          }
        }
      }
      if ((o - 1 + m) % m === 0) {
        const r = await local
        visit(r.points, r.values, r.valueBytes, r.n)
      } else {
        for await (const f of this.incoming(ctx, parties[(o - 1 + m) % m]!, `final-${o}`, MSG_BLINDED)) visit(f.points, f.values, f.valueBytes, f.count)
      }
      this.onProgress?.({ step: 'compare', stream: `final-${o}`, done: k + 1, total: m - 1 })
    }
    let cardinality = 0
    for (let j = 0; j < n0; j++) if (counts[j] === m - 1) cardinality++
    if (mode === 'sum') {
      const vb = byteLen(pk!.nSquared)
      const total = rerandomize(sumCt ?? new PaillierCiphertext(pk!, 1n)) // 1 = an encryption of 0, rerandomised
      await this.post(parties[holder]!, 'sum', 0, true, this.frame(ctx, MSG_SUM, new Uint8Array(0), 0, true, toFixed(total.value, vb), vb))
    }
    if (mode === 'intersection') return { intersection: this.ids.filter((_, j) => counts[j] === m - 1), cardinality }
    return { cardinality }
  }

  private frame(ctx: Ctx, type: number, points: Uint8Array, chunk: number, last: boolean, values: Uint8Array, valueBytes: number): Buffer {
    return Buffer.from(encodeFrame({ type, variant: ctx.mode, last, sessionId: ctx.sid, chunk, points, values: valueBytes ? values : new Uint8Array(0), valueBytes }))
  }

  private post(to: string, stream: string, index: number, last: boolean, bytes: Uint8Array): Promise<unknown> {
    return this.http.request('POST', `/v1/psi/sessions/${this.sessionId}/chunks`, { query: { to, stream, index, last: String(last) }, bytes })
  }

  /** The raw chunks of a stream, in order, until its last one. */
  private async *raw(from: string, stream: string): AsyncGenerator<{ index: number; last: boolean; data: Buffer }> {
    const deadline = Date.now() + this.timeoutMs
    let after = 0
    for (;;) {
      const r = await this.http.request<Wire>('GET', `/v1/psi/sessions/${this.sessionId}/chunks`, { query: { from, stream, after, waitMs: this.waitMs } })
      for (const c of r.chunks) {
        if (c.index !== after) throw new PsiError('PSI_OUT_OF_ORDER', { shortMessage: `stream ${stream}: expected chunk ${after}, got ${c.index}` })
        after++
        yield { index: c.index, last: c.last, data: Buffer.from(c.data, 'base64') }
        if (c.last) return
      }
      if (r.chunks.length === 0 && Date.now() > deadline) throw new PsiError('PSI_TIMEOUT', { shortMessage: `no chunk ${after} of stream "${stream}" from ${from} within ${this.timeoutMs} ms` })
    }
  }

  /** Decoded, checked frames of a stream. */
  private async *incoming(ctx: Ctx, from: string, stream: string, type: number): AsyncGenerator<PsiFrame> {
    for await (const c of this.raw(from, stream)) {
      const f = decodeFrame(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength))
      if (f.type !== type) throw new PsiError('PSI_WRONG_STATE', { shortMessage: `stream ${stream}: expected message type ${type}, got ${f.type}` })
      if (!Buffer.from(f.sessionId).equals(ctx.sid)) throw new PsiError('PSI_WRONG_SESSION', { shortMessage: 'a frame of another PSI session' })
      if (f.variant !== ctx.mode) throw new PsiError('PSI_VARIANT_MISMATCH', { shortMessage: `a ${f.variant} frame in a ${ctx.mode} session` })
      if (f.chunk !== c.index || f.last !== c.last) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'a frame header disagrees with its chunk index' })
      yield f
    }
  }

  private async collect(ctx: Ctx, from: string, stream: string, type: number, max: number): Promise<PsiFrame[]> {
    const out: PsiFrame[] = []
    for await (const f of this.incoming(ctx, from, stream, type)) if (out.push(f) > max) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: `stream ${stream} is too long` })
    return out
  }

  private async collectRaw(from: string, stream: string): Promise<Buffer[]> {
    const out: Buffer[] = []
    for await (const c of this.raw(from, stream)) out.push(c.data)
    return out
  }
}

type Ctx = { parties: string[]; me: number; m: number; mode: PsiVariant; holder: number; sid: Buffer; pool: PsiPool }

function shuffleArray(a: number[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}

function shuffleRecords(r: Records): void {
  const t = Buffer.alloc(32)
  const tv = Buffer.alloc(r.valueBytes)
  for (let i = r.n - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    if (j === i) continue
    r.points.copy(t, 0, i * 32, i * 32 + 32)
    r.points.copy(r.points, i * 32, j * 32, j * 32 + 32)
    t.copy(r.points, j * 32)
    if (r.valueBytes) {
      const vb = r.valueBytes
      r.values.copy(tv, 0, i * vb, i * vb + vb)
      r.values.copy(r.values, i * vb, j * vb, j * vb + vb)
      tv.copy(r.values, j * vb)
    }
  }
}

const byteLen = (x: bigint): number => Math.ceil(x.toString(16).length / 2)

function toFixed(v: bigint, len: number): Uint8Array {
  return Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex')
}

function bigFromBytes(b: Uint8Array): bigint {
  return b.length ? BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')) : 0n
}
