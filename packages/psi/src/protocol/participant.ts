/**
 * @module participant
 * Two-party ECDH-PSI (Meadows 1986; Huberman–Franklin–Hogg 1999; the PSI-sum of Ion et al.,
 * "On Deploying Secure Computing: Private Intersection-Sum-with-Cardinality", EuroS&P 2020),
 * semi-honest, over X25519 with identifiers hashed to curve25519 by Elligator 2.
 *
 * Receiver R (key a) and sender S (key b):
 *  1. R → S  BLINDED  H(x)^a for each of R's x, in chunks
 *  2. S → R  DOUBLE   H(x)^ab; in order for `intersection`, globally shuffled otherwise
 *  3. S → R  PEER     H(y)^b for S's y in a random order (+ Enc_S(v_y) for `sum`)
 *  4. R computes (H(y)^b)^a, looks up the 8-byte digest among its H(x)^ab
 *  5. `sum` only: R → S  SUM  rerandomised Π Enc(v_y) over matches; S decrypts.
 * R learns: the intersection (`intersection`), or only its size (`cardinality`, `sum`). S learns
 * |X| and, in `sum`, the sum. Both learn the other's set size. Nobody sees an unblinded point.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { add, encryptWithPrivateKey, decrypt, generateKeyPair, PaillierCiphertext, rerandomize } from '@krain/he'
import type { PaillierPrivateKey, PaillierPublicKey } from '@krain/he'
import { PsiError } from '../errors.js'
import { PsiPool } from '../group/pool.js'
import { DigestTable, DIGEST_BYTES } from '../table/digest-table.js'
import { decodeFrame, encodeFrame, MSG_BLINDED, MSG_DOUBLE, MSG_PEER, MSG_SUM, VARIANTS } from './messages.js'
import type { PsiFrame, PsiVariant } from './messages.js'

/** Progress of a participant. */
export type PsiProgress = { phase: 'blind' | 'double' | 'peer' | 'match'; done: number; total: number }

/** Options of {@link PsiParticipant}. */
export type PsiParticipantOptions = {
  role: 'receiver' | 'sender'
  variant: PsiVariant
  ids: readonly string[]
  /** `sum` variant, sender only: one non-negative integer per id. */
  values?: readonly (bigint | number)[]
  /** 16 bytes shared by both parties (the gateway's session id); random if omitted. */
  sessionId?: Uint8Array
  chunkSize?: number
  pool?: PsiPool
  onProgress?: (p: PsiProgress) => void
  /** `sum`, sender: Paillier modulus bits (default 3072; 2048 allowed). */
  paillierBits?: number
  /** `sum`, sender: an existing key pair. */
  paillierKey?: { publicKey: PaillierPublicKey; privateKey: PaillierPrivateKey }
  /** Number of receiver items the sender expects (hint for memory; optional). */
  peerSize?: number
}

/** The output of a party (what its variant lets it learn). */
export type PsiOutput =
  | { variant: 'intersection'; intersection: string[] }
  | { variant: 'cardinality' | 'sum'; cardinality: number }
  | { variant: 'sum'; sum: bigint }
  | { variant: PsiVariant; peerSize: number }

const DEFAULT_CHUNK = 8192

/** One party of a two-party PSI: a step API over binary frames. */
export class PsiParticipant {
  readonly role: 'receiver' | 'sender'
  readonly variant: PsiVariant
  readonly sessionId: Uint8Array
  private readonly ids: readonly string[]
  private readonly values: readonly bigint[] | undefined
  private readonly key = randomBytes(32)
  private readonly chunkSize: number
  private readonly ownPool: boolean
  private readonly pool: PsiPool
  private readonly onProgress: ((p: PsiProgress) => void) | undefined
  private readonly paillierBits: number
  private paillier: { publicKey: PaillierPublicKey; privateKey: PaillierPrivateKey } | undefined
  // receiver state
  private table: DigestTable | undefined
  private doubleSeen = 0
  private doubleChunk = 0
  private doubleDone = false
  private peerChunk = 0
  private peerDone = false
  private peerItems = 0
  private matched: Uint8Array | undefined
  private matches = 0
  private sumCt: PaillierCiphertext | undefined
  private peerPublicKey: PaillierPublicKey | undefined
  // sender state
  private reblinded: Buffer = Buffer.alloc(0)
  private reblindedLen = 0
  private blindedChunk = 0
  private blindedDone = false
  private result: bigint | undefined

  constructor(options: PsiParticipantOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected an object')
    const { role, variant, ids, values, sessionId, chunkSize = DEFAULT_CHUNK, pool, onProgress, paillierBits = 3072, paillierKey } = options
    if (role !== 'receiver' && role !== 'sender') throw new RangeError(`"role" expected 'receiver' or 'sender', got ${String(role)}`)
    if (!VARIANTS.includes(variant)) throw new RangeError(`"variant" expected one of ${VARIANTS.join(', ')}, got ${String(variant)}`)
    if (!Array.isArray(ids)) throw new TypeError('"ids" expected an array of strings')
    for (let i = 0; i < ids.length; i++) if (typeof ids[i] !== 'string') throw new TypeError(`"ids[${i}]" expected a string`)
    if (new Set(ids).size !== ids.length) throw new RangeError('"ids" expected distinct identifiers')
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1 << 20) throw new RangeError(`"chunkSize" expected an integer in [1, 2^20], got ${chunkSize}`)
    if (sessionId !== undefined && (!(sessionId instanceof Uint8Array) || sessionId.length !== 16)) throw new TypeError('"sessionId" expected 16 bytes')
    if (variant === 'sum' && role === 'sender') {
      if (!Array.isArray(values) || values.length !== ids.length) throw new TypeError('"values" expected one integer per id (sum variant, sender)')
      this.values = values.map((v, i) => {
        const b = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : NaN
        if (typeof b !== 'bigint' || b < 0n) throw new RangeError(`"values[${i}]" expected a non-negative integer, got ${String(v)}`)
        return b
      })
    }
    if (paillierBits !== 2048 && paillierBits !== 3072) throw new RangeError(`"paillierBits" expected 2048 or 3072, got ${paillierBits}`)
    this.role = role
    this.variant = variant
    this.ids = ids
    this.sessionId = sessionId ?? randomBytes(16)
    this.chunkSize = chunkSize
    this.ownPool = pool === undefined
    this.pool = pool ?? new PsiPool()
    this.onProgress = onProgress
    this.paillierBits = paillierBits
    this.paillier = paillierKey
  }

  private frame(type: number, points: Uint8Array, chunk: number, last: boolean, values: Uint8Array = new Uint8Array(0), valueBytes = 0): Uint8Array {
    return encodeFrame({ type, variant: this.variant, last, sessionId: this.sessionId, chunk, points, values, valueBytes })
  }

  private check(bytes: Uint8Array, type: number, expectedChunk: number, done: boolean): PsiFrame {
    const f = decodeFrame(bytes)
    if (f.type !== type) throw new PsiError('PSI_WRONG_STATE', { shortMessage: `expected message type ${type}, got ${f.type}` })
    if (!equal(f.sessionId, this.sessionId)) throw new PsiError('PSI_WRONG_SESSION', { shortMessage: 'the message belongs to another PSI session' })
    if (f.variant !== this.variant) throw new PsiError('PSI_VARIANT_MISMATCH', { shortMessage: `the peer runs ${f.variant}, this party ${this.variant}` })
    if (done || f.chunk < expectedChunk) throw new PsiError('PSI_REPLAYED_CHUNK', { shortMessage: `chunk ${f.chunk} was already received` })
    if (f.chunk > expectedChunk) throw new PsiError('PSI_OUT_OF_ORDER', { shortMessage: `expected chunk ${expectedChunk}, got ${f.chunk}` })
    return f
  }

  // ------------------------------------------------------------------ receiver

  /** Receiver, step 1: frames of H(x)^a (chunked). */
  async *blindedFrames(): AsyncGenerator<Uint8Array> {
    this.assertRole('receiver')
    const n = this.ids.length
    this.table = new DigestTable(Math.max(1, n))
    if (this.variant === 'intersection') this.matched = new Uint8Array(n)
    let chunk = 0
    for (let lo = 0; lo < n || (n === 0 && chunk === 0); lo += this.chunkSize) {
      const hi = Math.min(n, lo + this.chunkSize)
      const pts = await this.pool.hashAndBlind(this.ids.slice(lo, hi), this.key)
      this.onProgress?.({ phase: 'blind', done: hi, total: n })
      yield this.frame(MSG_BLINDED, pts, chunk++, hi >= n)
      if (n === 0) break
    }
  }

  /**
   * Receiver: take a DOUBLE or PEER frame. Returns the SUM frame to send back after the last PEER
   * frame of a `sum` run, else `undefined`.
   */
  async receive(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.role === 'sender') return this.senderReceive(bytes)
    if (!this.table) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'call blindedFrames() before receiving' })
    const type = decodeFrame(bytes).type
    if (type === MSG_DOUBLE) {
      const f = this.check(bytes, MSG_DOUBLE, this.doubleChunk, this.doubleDone)
      if (this.doubleSeen + f.count > this.ids.length) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'more double-blinded points than identifiers sent' })
      for (let i = 0; i < f.count; i++) this.table.insert(f.points, i * 32, this.doubleSeen + i)
      this.doubleSeen += f.count
      this.doubleChunk++
      this.onProgress?.({ phase: 'double', done: this.doubleSeen, total: this.ids.length })
      if (f.last) {
        if (this.doubleSeen !== this.ids.length) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: `got ${this.doubleSeen} double-blinded points for ${this.ids.length} identifiers` })
        this.doubleDone = true
      }
      return undefined
    }
    if (type === MSG_PEER) {
      if (!this.doubleDone) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'peer points arrived before the last double-blinded chunk' })
      const f = this.check(bytes, MSG_PEER, this.peerChunk, this.peerDone)
      if (this.variant === 'sum' && f.valueBytes === 0 && f.count > 0) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'sum variant: peer chunk carries no ciphertexts' })
      const dbl = f.count ? await this.pool.blind(f.points, this.key) : Buffer.alloc(0)
      for (let i = 0; i < f.count; i++) {
        const j = this.table.get(dbl, i * 32)
        if (j < 0) continue
        if (this.matched) {
          if (!this.matched[j]) (this.matched[j] = 1), this.matches++
        } else this.matches++
        if (this.variant === 'sum') {
          const ct = this.readCiphertext(f.values.subarray(i * f.valueBytes, (i + 1) * f.valueBytes))
          this.sumCt = this.sumCt ? add(this.sumCt, ct) : ct
        }
      }
      this.peerItems += f.count
      this.peerChunk++
      this.onProgress?.({ phase: 'match', done: this.peerItems, total: this.peerItems })
      if (f.last) {
        this.peerDone = true
        if (this.variant === 'sum') {
          const pk = this.peerPublicKey!
          const total = rerandomize(this.sumCt ?? new PaillierCiphertext(pk, encryptZero(pk)))
          return this.frame(MSG_SUM, new Uint8Array(0), 0, true, toFixed(total.value, byteLen(pk.nSquared)), byteLen(pk.nSquared))
        }
      }
      return undefined
    }
    throw new PsiError('PSI_WRONG_STATE', { shortMessage: `the receiver does not take message type ${type}` })
  }

  /** `sum`, receiver: the sender's Paillier public key (sent alongside, e.g. as JWK). */
  setPeerPaillierKey(publicKey: PaillierPublicKey): void {
    this.peerPublicKey = publicKey
  }

  private readCiphertext(b: Uint8Array): PaillierCiphertext {
    const pk = this.peerPublicKey
    if (!pk) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'sum variant: the sender\'s Paillier public key was not set' })
    if (b.length !== byteLen(pk.nSquared)) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: `ciphertexts of ${b.length} bytes do not fit the key` })
    const v = fromBytes(b)
    if (v <= 0n || v >= pk.nSquared) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'a ciphertext lies outside Z*_{n^2}' })
    return new PaillierCiphertext(pk, v)
  }

  // ------------------------------------------------------------------ sender

  /** `sum`, sender: the Paillier public key to give the receiver (generated on first call). */
  async paillierPublicKey(): Promise<PaillierPublicKey> {
    this.assertRole('sender')
    if (!this.paillier) this.paillier = await generateKeyPair({ bits: this.paillierBits })
    return this.paillier.publicKey
  }

  private async senderReceive(bytes: Uint8Array): Promise<undefined> {
    const type = decodeFrame(bytes).type
    if (type === MSG_BLINDED) {
      const f = this.check(bytes, MSG_BLINDED, this.blindedChunk, this.blindedDone)
      const out = f.count ? await this.pool.blind(f.points, this.key) : Buffer.alloc(0)
      if (this.reblindedLen + out.length > this.reblinded.length) {
        const grown = Buffer.alloc(Math.max(this.reblindedLen + out.length, this.reblinded.length * 2))
        this.reblinded.copy(grown, 0, 0, this.reblindedLen)
        this.reblinded = grown
      }
      out.copy(this.reblinded, this.reblindedLen)
      this.reblindedLen += out.length
      this.blindedChunk++
      this.onProgress?.({ phase: 'double', done: this.reblindedLen / 32, total: this.reblindedLen / 32 })
      if (f.last) {
        this.blindedDone = true
        if (this.variant !== 'intersection') shuffleRecords(this.reblinded, this.reblindedLen / 32)
      }
      return undefined
    }
    if (type === MSG_SUM) {
      if (this.variant !== 'sum' || !this.paillier) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'unexpected SUM message' })
      const f = this.check(bytes, MSG_SUM, 0, this.result !== undefined)
      const pk = this.paillier.publicKey
      if (f.values.length !== byteLen(pk.nSquared)) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'the sum ciphertext has the wrong size' })
      const v = fromBytes(f.values)
      if (v <= 0n || v >= pk.nSquared) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'the sum ciphertext lies outside Z*_{n^2}' })
      this.result = decrypt(this.paillier.privateKey, new PaillierCiphertext(pk, v))
      return undefined
    }
    throw new PsiError('PSI_WRONG_STATE', { shortMessage: `the sender does not take message type ${type}` })
  }

  /** Sender, step 2: the receiver's points re-blinded (after the last BLINDED frame). */
  *doubleFrames(): Generator<Uint8Array> {
    this.assertRole('sender')
    if (!this.blindedDone) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'the receiver\'s last blinded chunk has not arrived' })
    const n = this.reblindedLen / 32
    let chunk = 0
    for (let lo = 0; lo < n || (n === 0 && chunk === 0); lo += this.chunkSize) {
      const hi = Math.min(n, lo + this.chunkSize)
      yield this.frame(MSG_DOUBLE, this.reblinded.subarray(lo * 32, hi * 32), chunk++, hi >= n)
      if (n === 0) break
    }
    this.reblinded = Buffer.alloc(0)
  }

  /** Sender, step 3: H(y)^b in a random order (with Enc(v_y) for `sum`). */
  async *peerFrames(): AsyncGenerator<Uint8Array> {
    this.assertRole('sender')
    const n = this.ids.length
    const order = new Uint32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = randomInt(i + 1)
      const t = order[i]!
      order[i] = order[j]!
      order[j] = t
    }
    let pk: PaillierPublicKey | undefined
    if (this.variant === 'sum') {
      pk = await this.paillierPublicKey()
      let total = 0n
      for (const v of this.values!) total += v
      if (total >= pk.n / 2n) throw new PsiError('PSI_SUM_OVERFLOW', { shortMessage: 'the sum of the values may exceed the Paillier plaintext space' })
    }
    let chunk = 0
    for (let lo = 0; lo < n || (n === 0 && chunk === 0); lo += this.chunkSize) {
      const hi = Math.min(n, lo + this.chunkSize)
      const ids: string[] = []
      for (let i = lo; i < hi; i++) ids.push(this.ids[order[i]!]!)
      const pts = await this.pool.hashAndBlind(ids, this.key)
      let values: Uint8Array = new Uint8Array(0)
      let valueBytes = 0
      if (pk) {
        valueBytes = byteLen(pk.nSquared)
        values = new Uint8Array((hi - lo) * valueBytes)
        for (let i = lo; i < hi; i++) values.set(toFixed(encryptWithPrivateKey(this.paillier!.privateKey, this.values![order[i]!]!).value, valueBytes), (i - lo) * valueBytes)
      }
      this.onProgress?.({ phase: 'peer', done: hi, total: n })
      yield this.frame(MSG_PEER, pts, chunk++, hi >= n, values, valueBytes)
      if (n === 0) break
    }
  }

  // ------------------------------------------------------------------ output

  /** What this party learns. */
  output(): PsiOutput {
    if (this.role === 'receiver') {
      if (!this.peerDone) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'the run is not finished' })
      if (this.variant === 'intersection') return { variant: 'intersection', intersection: this.ids.filter((_, i) => this.matched![i] === 1) }
      return { variant: this.variant, cardinality: this.matches }
    }
    if (this.variant === 'sum') {
      if (this.result === undefined) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'the SUM message has not arrived' })
      return { variant: 'sum', sum: this.result }
    }
    if (!this.blindedDone) throw new PsiError('PSI_WRONG_STATE', { shortMessage: 'the run is not finished' })
    return { variant: this.variant, peerSize: this.reblindedLen / 32 }
  }

  /** Release the worker pool if this participant created it. */
  async close(): Promise<void> {
    if (this.ownPool) await this.pool.close()
  }

  private assertRole(role: 'receiver' | 'sender'): void {
    if (this.role !== role) throw new PsiError('PSI_WRONG_STATE', { shortMessage: `only the ${role} does this` })
  }
}

function shuffleRecords(buf: Buffer, n: number): void {
  const tmp = Buffer.alloc(32)
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    if (j === i) continue
    buf.copy(tmp, 0, i * 32, i * 32 + 32)
    buf.copy(buf, i * 32, j * 32, j * 32 + 32)
    tmp.copy(buf, j * 32)
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

const byteLen = (x: bigint): number => Math.ceil(x.toString(16).length / 2)

function toFixed(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--) (out[i] = Number(v & 0xffn)), (v >>= 8n)
  return out
}

function fromBytes(b: Uint8Array): bigint {
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v
}

function encryptZero(pk: PaillierPublicKey): bigint {
  // (1 + n)^0 · r^n with r = 1 is 1; rerandomize() then makes it a fresh encryption of 0.
  void pk
  return 1n
}

export { DIGEST_BYTES }
