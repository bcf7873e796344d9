/**
 * @module psi/psi-service
 * PSI sessions: the gateway is a mailbox of blinded chunks between the parties of a
 * session. It never sees an identifier or a secret scalar, only X25519 u-coordinates blinded by
 * keys it does not have (and, in `sum`, Paillier ciphertexts under a party's key). The protocol
 * itself (a ring: each set is blinded by every party's key, then compared by the leader) runs in
 * the parties' `PsiParticipant`s; the gateway checks who may post and read what, and that each
 * stream is an ordered, append-only, replay-safe sequence of well-formed frames.
 *
 * Rules: only a party of the session may post, as itself (`from` is the signed-in address), to
 * another party; a chunk is `(from, to, stream, index)`: index k may be posted once the stream
 * holds k chunks and before its last one; re-posting the same bytes is idempotent (`duplicate`),
 * other bytes under the same key are refused (`PSI_CHUNK_CONFLICT`). A party reads only chunks
 * addressed to it. Every chunk but the Paillier key is a `KPSI` frame of this session and mode,
 * with canonical points (`decodeFrame`). After `expiresAt` nothing more is accepted.
 */
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { decodeFrame, PsiError, VARIANTS, type PsiVariant } from '@krain/psi'
import { BadRequestError, ConflictError, NotFoundError, PolicyDeniedError } from '../errors.js'
import { decodeJson, PsiConfigRow } from '../store/rows.js'
import type { PsiChunkRecord, PsiStreamSummary, Store } from '../store/types.js'
import { KeyedLock } from '../keyed-lock.js'

/** A PSI session's fixed configuration. */
export type PsiSessionConfig = {
  /** 32 hex characters: the 16-byte session id every frame carries. */
  sessionId: string
  /** Lower-case addresses, in ring order; `parties[0]` is the leader (it learns the output). */
  parties: `0x${string}`[]
  mode: PsiVariant
  /** `sum`: the party whose values are summed (it learns the sum); never the leader. */
  valueHolder: `0x${string}` | null
  creator: `0x${string}`
  createdAt: number
  expiresAt: number
}

/** What a status request returns. */
export type PsiSessionStatus = PsiSessionConfig & { expired: boolean; streams: PsiStreamSummary[] }

/** Parameters of {@link PsiService.create}. */
export type CreatePsiSessionParameters = { parties: string[]; mode: PsiVariant; valueHolder?: string; expiresInMs?: number }

/** A chunk as returned to its recipient. */
export type PsiChunk = { from: string; stream: string; index: number; last: boolean; data: Buffer }

/** Streams whose chunks are not KPSI frames (the sum variant's Paillier public key, JSON). */
const OPAQUE_STREAMS = new Set(['paillier-key'])
const STREAM_RE = /^[a-z0-9][a-z0-9-]{0,47}$/
const ADDRESS_RE = /^0x[0-9a-f]{40}$/
const MAX_PARTIES = 16
const MAX_EXPIRY_MS = 7 * 24 * 3600_000
/** Most bytes returned by one fetch (chunks are returned whole; at least one). */
const FETCH_BYTES = 24 << 20

/** The PSI mailbox of one gateway instance. */
export class PsiService {
  private readonly events = new EventEmitter().setMaxListeners(0)
  private readonly locks = new KeyedLock()
  readonly #clock: () => number

  constructor(private readonly p: { store: Store; clock?: () => number }) {
    this.#clock = p.clock ?? Date.now
  }

  /** Open a session. */
  async create(params: CreatePsiSessionParameters, creator: string): Promise<PsiSessionConfig> {
    const parties = params.parties.map((a) => a.toLowerCase())
    if (parties.length < 2 || parties.length > MAX_PARTIES) throw new BadRequestError('PSI_BAD_SESSION', `a PSI session needs 2 to ${MAX_PARTIES} parties, got ${parties.length}`)
    for (const a of parties) if (!ADDRESS_RE.test(a)) throw new BadRequestError('PSI_BAD_SESSION', `"${a}" is not an address`)
    if (new Set(parties).size !== parties.length) throw new BadRequestError('PSI_BAD_SESSION', 'the parties must be distinct')
    if (!VARIANTS.includes(params.mode)) throw new BadRequestError('PSI_BAD_SESSION', `mode must be one of ${VARIANTS.join(', ')}`)
    let valueHolder: `0x${string}` | null = null
    if (params.mode === 'sum') {
      valueHolder = (params.valueHolder?.toLowerCase() ?? parties[parties.length - 1]!) as `0x${string}`
      if (!parties.includes(valueHolder)) throw new BadRequestError('PSI_BAD_SESSION', 'the value holder must be a party')
      if (valueHolder === parties[0]) throw new BadRequestError('PSI_BAD_SESSION', 'the value holder cannot be the leader (parties[0]): it would learn both the matches and the sum')
    } else if (params.valueHolder !== undefined) throw new BadRequestError('PSI_BAD_SESSION', 'a value holder is only for the sum mode')
    const ttl = params.expiresInMs ?? 24 * 3600_000
    if (!Number.isInteger(ttl) || ttl < 1000 || ttl > MAX_EXPIRY_MS) throw new BadRequestError('PSI_BAD_SESSION', `expiresInMs must be an integer in [1000, ${MAX_EXPIRY_MS}]`)
    const now = this.#clock()
    const config: PsiSessionConfig = { sessionId: randomBytes(16).toString('hex'), parties: parties as `0x${string}`[], mode: params.mode, valueHolder, creator: creator.toLowerCase() as `0x${string}`, createdAt: now, expiresAt: now + ttl }
    await this.p.store.createPsiSession({ id: config.sessionId, creator: config.creator, config: JSON.stringify(config), createdAt: now, expiresAt: config.expiresAt })
    return config
  }

  /** A session's configuration. */
  async config(id: string): Promise<PsiSessionConfig> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new NotFoundError('PSI session', id)
    const row = await this.p.store.getPsiSession(id)
    if (!row) throw new NotFoundError('PSI session', id)
    return decodeJson(PsiConfigRow, row.config, { table: 'psi_sessions', id, column: 'config' })
  }

  /** Configuration and per-stream progress (parties, the creator, verifiers and admins). */
  async status(id: string): Promise<PsiSessionStatus> {
    const config = await this.config(id)
    return { ...config, expired: this.#clock() >= config.expiresAt, streams: await this.p.store.listPsiStreams(id) }
  }

  /** Throw unless `address` is a party of the session. */
  assertParty(config: PsiSessionConfig, address: string, action: string): void {
    if (!config.parties.includes(address.toLowerCase() as `0x${string}`)) throw new PolicyDeniedError({ action, address, reason: 'not a party of this PSI session' })
  }

  /**
   * Accept one chunk from `from` (already authenticated) to `to`.
   * @returns `stored`, or `duplicate` for an identical re-post
   */
  post(id: string, c: { from: string; to: string; stream: string; index: number; last: boolean; data: Buffer }): Promise<{ status: 'stored' | 'duplicate' }> {
    const key = `${id}:${c.from.toLowerCase()}:${c.to.toLowerCase()}:${c.stream}`
    return this.locks.run(key, () => this.postLocked(id, c))
  }

  private async postLocked(id: string, c: { from: string; to: string; stream: string; index: number; last: boolean; data: Buffer }): Promise<{ status: 'stored' | 'duplicate' }> {
    const config = await this.config(id)
    const from = c.from.toLowerCase()
    const to = c.to.toLowerCase()
    this.assertParty(config, from, 'psi:post')
    if (!config.parties.includes(to as `0x${string}`) || to === from) throw new BadRequestError('PSI_BAD_CHUNK', 'a chunk goes to another party of the session')
    if (!STREAM_RE.test(c.stream)) throw new BadRequestError('PSI_BAD_CHUNK', `stream names match ${STREAM_RE.source}`)
    if (!Number.isInteger(c.index) || c.index < 0) throw new BadRequestError('PSI_BAD_CHUNK', 'index must be a non-negative integer')
    const now = this.#clock()
    if (now >= config.expiresAt) throw new ConflictError('PSI_SESSION_EXPIRED', `PSI session ${id} expired at ${new Date(config.expiresAt).toISOString()}`)
    if (!OPAQUE_STREAMS.has(c.stream)) {
      try {
        const f = decodeFrame(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength))
        if (Buffer.from(f.sessionId).toString('hex') !== id) throw new PsiError('PSI_WRONG_SESSION', { shortMessage: 'the frame belongs to another PSI session' })
        if (f.variant !== config.mode) throw new PsiError('PSI_VARIANT_MISMATCH', { shortMessage: `the frame is for ${f.variant}, the session runs ${config.mode}` })
        if (f.chunk !== c.index || f.last !== c.last) throw new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'the frame header disagrees with the chunk index or last flag' })
      } catch (e) {
        if (e instanceof PsiError) throw new BadRequestError(e.code, e.shortMessage, e.details)
        throw e
      }
    } else if (c.data.length > 64 << 10) throw new BadRequestError('PSI_BAD_CHUNK', 'a Paillier key chunk is at most 64 KiB')
    const digest = createHash('sha256').update(c.data).digest('hex')
    const [existing] = await this.p.store.listPsiChunks({ sessionId: id, sender: from, recipient: to, stream: c.stream, fromIndex: c.index, limit: 1 })
    if (!(existing && existing.index === c.index)) {
      // a new chunk: it must be the next one, and the stream must still be open
      const [summary] = (await this.p.store.listPsiStreams(id)).filter((s) => s.sender === from && s.recipient === to && s.stream === c.stream)
      const have = summary?.chunks ?? 0
      if (summary?.last) throw new ConflictError('PSI_STREAM_CLOSED', `stream "${c.stream}" already has its last chunk (${have - 1})`)
      if (c.index !== have) throw new ConflictError('PSI_OUT_OF_ORDER', `stream "${c.stream}" expects chunk ${have}, got ${c.index}`)
    }
    const r = await this.p.store.putPsiChunk({ sessionId: id, sender: from, recipient: to, stream: c.stream, index: c.index, last: c.last, digest, data: c.data, createdAt: now })
    if (r === 'conflict') throw new ConflictError('PSI_CHUNK_CONFLICT', `chunk ${c.index} of stream "${c.stream}" was already posted with other bytes`)
    if (r === 'stored') {
      this.events.emit(`${id}:${to}`)
      // other instances' long-polls; the chunk is stored, so a lost announcement only delays them to their timeout
      await this.p.store.notify('psi', `${id}:${to}`).catch(() => undefined)
    }
    return { status: r }
  }

  /**
   * Chunks of `stream` from `from` to `to`, from index `after` on (long-polls up to `waitMs` when
   * none is there yet).
   */
  async fetch(id: string, q: { from: string; to: string; stream: string; after: number; waitMs: number }): Promise<{ chunks: PsiChunk[]; last: boolean }> {
    const config = await this.config(id)
    this.assertParty(config, q.to, 'psi:read')
    const from = q.from.toLowerCase()
    const to = q.to.toLowerCase()
    const read = async (): Promise<PsiChunkRecord[]> => this.p.store.listPsiChunks({ sessionId: id, sender: from, recipient: to, stream: q.stream, fromIndex: q.after, limit: 64 })
    let rows = await read()
    if (rows.length === 0 && q.waitMs > 0) {
      // woken by a chunk for `to` stored here or, through the store's announcements, on another instance
      const mailbox = `${id}:${to}`
      let wake!: () => void
      const woken = new Promise<void>((r) => (wake = r))
      this.events.on(mailbox, wake)
      const stop = await this.p.store.subscribe('psi', (p) => (p === mailbox || p === '') && wake()).catch(() => undefined)
      const timer = setTimeout(wake, q.waitMs)
      timer.unref()
      try {
        rows = await read() // again, now that it listens: a chunk stored in between is not missed
        if (rows.length === 0) {
          await woken
          rows = await read()
        }
      } finally {
        clearTimeout(timer)
        this.events.off(mailbox, wake)
        stop?.()
      }
    }
    const chunks: PsiChunk[] = []
    let bytes = 0
    for (const r of rows) {
      if (chunks.length && bytes + r.data.length > FETCH_BYTES) break
      if (chunks.length && r.index !== chunks[chunks.length - 1]!.index + 1) break
      bytes += r.data.length
      chunks.push({ from: r.sender, stream: r.stream, index: r.index, last: r.last, data: r.data })
    }
    return { chunks, last: chunks.at(-1)?.last ?? false }
  }
}
