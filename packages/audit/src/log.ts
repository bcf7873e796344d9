/**
 * @module log
 * A tamper-evident audit log (Crosby–Wallach style hash chain, simplified to a linear chain with a
 * signed head, as in Certificate Transparency's signed tree head): each entry
 * `{ seq, time, kind, sessionId, dataDigest, actor, prevHash }` is hashed with SHA-256 over its
 * canonical JSON and chained to the previous one; the owner (the gateway's coordinator key)
 * signs every entry hash and the head `{ count, lastHash }`; the actor may co-sign its action.
 * `verifyLog` names the first entry that is altered, moved, missing or unsigned.
 */
import { AuditError } from './errors.js'
import { dataDigest, hex, taggedDigest } from './canonical.js'
import { addressOf, aPrivateKey, recoverDigestSigner, signDigest, toAddress } from './sign.js'
import type { Address, Hex } from './sign.js'

/** What an entry records (the kinds the gateway writes; any kebab-case string is accepted). */
export type AuditKind = 'session-created' | 'consent-given' | 'round-aggregated' | 'result-released' | 'model-registered' | (string & {})

/** The signed fields of an entry. */
export type AuditEntryBody = { seq: number; time: number; kind: AuditKind; sessionId: string; dataDigest: Hex; actor: Address | null; prevHash: Hex }

/** One entry as stored and exported. */
export type AuditEntry = AuditEntryBody & { hash: Hex; ownerSignature: Hex; actorSignature?: Hex }

/** The signed head: binds the length, so truncation is detected. */
export type AuditHead = { count: number; lastHash: Hex; time: number; signature: Hex }

/** An exported log. */
export type AuditLogExport = { version: 1; owner: Address; entries: AuditEntry[]; head: AuditHead }

export const GENESIS_HASH: Hex = `0x${'00'.repeat(32)}`
const ENTRY_TAG = 'krain-audit-entry-v1'
const ACTION_TAG = 'krain-audit-action-v1'
const HEAD_TAG = 'krain-audit-head-v1'

/** The digest an actor signs (EIP-191) to co-sign an action; independent of its place in the log. */
export function actionDigest({ kind, sessionId, dataDigest, actor }: { kind: string; sessionId: string; dataDigest: Hex; actor: Address }): Uint8Array {
  return taggedDigest(ACTION_TAG, { kind, sessionId, dataDigest, actor })
}

const entryHash = (b: AuditEntryBody): Uint8Array => taggedDigest(ENTRY_TAG, b)
const headDigest = (owner: Address, count: number, lastHash: Hex, time: number): Uint8Array => taggedDigest(HEAD_TAG, { owner, count, lastHash, time })

/** Parameters of {@link AuditLog.appendEntry}. */
export type AppendEntryParameters = {
  kind: AuditKind
  sessionId: string
  /** The data this entry is about (hashed; never stored) — or give `dataDigest`. */
  data?: unknown
  dataDigest?: Hex
  actor?: Address
  /** The actor's EIP-191 signature over {@link actionDigest}. */
  actorSignature?: Hex
  /** Milliseconds since the epoch (default `Date.now()`); must not go backwards. */
  time?: number
}

/** An append-only log held by its owner. */
export class AuditLog {
  readonly owner: Address
  private readonly key: Hex
  private readonly entries: AuditEntry[] = []

  /** @param ownerPrivateKey - the owner's secp256k1 key (the gateway's coordinator key). */
  constructor({ ownerPrivateKey, entries }: { ownerPrivateKey: Hex; entries?: AuditLogExport }) {
    this.key = aPrivateKey(ownerPrivateKey, 'ownerPrivateKey')
    this.owner = addressOf(this.key)
    if (entries !== undefined) {
      const r = verifyLog(entries, { ownerPublicKey: this.owner })
      if (!r.valid) throw new AuditError('AUDIT_MALFORMED_LOG', { shortMessage: `cannot resume a log that does not verify: ${r.reason}` })
      this.entries.push(...entries.entries)
    }
  }

  get length(): number {
    return this.entries.length
  }

  /**
   * Append one entry.
   * @throws AuditError `AUDIT_BAD_SIGNATURE` when an actor signature is given and is not the actor's.
   */
  appendEntry(p: AppendEntryParameters): AuditEntry {
    if (typeof p !== 'object' || p === null) throw new TypeError('"entry" expected an object')
    if (typeof p.kind !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(p.kind)) throw new RangeError('"kind" expected a kebab-case string of at most 64 characters')
    if (typeof p.sessionId !== 'string' || p.sessionId.length === 0 || p.sessionId.length > 200) throw new RangeError('"sessionId" expected a non-empty string of at most 200 characters')
    let digest: Hex
    if (p.dataDigest !== undefined) {
      if (typeof p.dataDigest !== 'string' || !/^0x[0-9a-f]{64}$/.test(p.dataDigest)) throw new RangeError('"dataDigest" expected 32 bytes of lowercase 0x hex')
      digest = p.dataDigest
    } else digest = dataDigest(p.data ?? null)
    const actor = p.actor === undefined ? null : toAddress(p.actor, 'actor')
    const prev = this.entries.at(-1)
    const time = p.time ?? Date.now()
    if (!Number.isSafeInteger(time) || time < 0) throw new RangeError('"time" expected milliseconds since the epoch')
    if (prev && time < prev.time) throw new RangeError(`"time" went backwards (${time} < ${prev.time})`)
    const body: AuditEntryBody = { seq: this.entries.length, time, kind: p.kind, sessionId: p.sessionId, dataDigest: digest, actor, prevHash: prev ? prev.hash : GENESIS_HASH }
    const h = entryHash(body)
    const entry: AuditEntry = { ...body, hash: hex(h), ownerSignature: signDigest(this.key, h) }
    if (p.actorSignature !== undefined) {
      if (actor === null) throw new RangeError('"actorSignature" given without "actor"')
      if (recoverDigestSigner(actionDigest({ kind: body.kind, sessionId: body.sessionId, dataDigest: digest, actor }), p.actorSignature) !== actor)
        throw new AuditError('AUDIT_BAD_SIGNATURE', { shortMessage: `the actor signature is not by ${actor}` })
      entry.actorSignature = p.actorSignature
    }
    this.entries.push(entry)
    return entry
  }

  /** The log with a freshly signed head (JSON-serialisable). */
  exportLog({ time = Date.now() }: { time?: number } = {}): AuditLogExport {
    const entries = this.entries
    const lastHash = entries.at(-1)?.hash ?? GENESIS_HASH
    return { version: 1, owner: this.owner, entries: entries.map((e) => ({ ...e })), head: { count: entries.length, lastHash, time, signature: signDigest(this.key, headDigest(this.owner, entries.length, lastHash, time)) } }
  }
}

/** What {@link verifyLog} returns. */
export type VerifyLogReturnType = { valid: true; reason: 'ok'; count: number } | { valid: false; firstInvalid: number; reason: string }

/**
 * Verify an exported log offline: the owner, every entry's seq, chain link, hash and owner
 * signature, every actor co-signature, and the signed head (length and last hash).
 * @returns `{ valid: false, firstInvalid, reason }` naming the first altered, moved or missing entry.
 * @throws AuditError `AUDIT_MALFORMED_LOG` when the input is not a log at all.
 */
export function verifyLog(log: unknown, { ownerPublicKey }: { ownerPublicKey: string }): VerifyLogReturnType {
  const owner = toAddress(ownerPublicKey, 'ownerPublicKey')
  const l = parseLog(log)
  if (toAddress(l.owner, 'log.owner') !== owner) return { valid: false, firstInvalid: 0, reason: `the log's owner is ${l.owner}, not ${owner}` }
  let prevHash: Hex = GENESIS_HASH
  let prevTime = 0
  for (let i = 0; i < l.entries.length; i++) {
    const e = l.entries[i]!
    const bad = (reason: string): VerifyLogReturnType => ({ valid: false, firstInvalid: i, reason: `entry ${i}: ${reason}` })
    if (e.seq !== i) return bad(e.seq > i ? `seq ${e.seq} where ${i} was expected (an entry is missing or moved)` : `seq ${e.seq} where ${i} was expected (moved or duplicated)`)
    if (e.prevHash !== prevHash) return bad('prevHash does not link to the previous entry')
    if (e.time < prevTime) return bad('time goes backwards')
    let h: Uint8Array
    try {
      h = entryHash({ seq: e.seq, time: e.time, kind: e.kind, sessionId: e.sessionId, dataDigest: e.dataDigest, actor: e.actor, prevHash: e.prevHash })
    } catch {
      return bad('an entry field cannot be encoded')
    }
    if (hex(h) !== e.hash) return bad('hash does not match the entry (edited)')
    if (recoverDigestSigner(h, e.ownerSignature) !== owner) return bad('owner signature is invalid')
    if (e.actorSignature !== undefined) {
      if (e.actor === null) return bad('actor signature without an actor')
      if (recoverDigestSigner(actionDigest({ kind: e.kind, sessionId: e.sessionId, dataDigest: e.dataDigest, actor: e.actor }), e.actorSignature) !== e.actor) return bad('actor signature is invalid')
    }
    prevHash = e.hash
    prevTime = e.time
  }
  const head = l.head
  if (recoverDigestSigner(headDigest(owner, head.count, head.lastHash, head.time), head.signature) !== owner) return { valid: false, firstInvalid: Math.min(head.count, l.entries.length), reason: 'the head signature is invalid' }
  if (head.count !== l.entries.length) return { valid: false, firstInvalid: Math.min(head.count, l.entries.length), reason: `the signed head covers ${head.count} entries, the log has ${l.entries.length} (truncated or extended)` }
  if (head.lastHash !== prevHash) return { valid: false, firstInvalid: Math.max(0, l.entries.length - 1), reason: 'the signed head does not match the last entry' }
  return { valid: true, reason: 'ok', count: l.entries.length }
}

const HEX32 = /^0x[0-9a-f]{64}$/
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null
const isHex = (x: unknown): x is Hex => typeof x === 'string' && x.startsWith('0x')
const isHex32 = (x: unknown): x is Hex => typeof x === 'string' && HEX32.test(x)
const isInt = (x: unknown): x is number => Number.isSafeInteger(x)
const malformed = (details: string): AuditError => new AuditError('AUDIT_MALFORMED_LOG', { shortMessage: 'not an audit log', details })

/** Decode an exported log field by field (shape only; {@link verifyLog} checks the signatures and links). */
function parseLog(log: unknown): AuditLogExport {
  if (!isRecord(log)) throw malformed('expected an object')
  const { version, owner, entries, head } = log
  if (version !== 1) throw malformed('unsupported version')
  if (!isHex(owner)) throw malformed('owner missing')
  if (!Array.isArray(entries)) throw malformed('entries missing')
  if (!isRecord(head) || !isInt(head.count) || !isInt(head.time) || !isHex32(head.lastHash) || !isHex(head.signature)) throw malformed('head malformed')
  return { version, owner, entries: entries.map(parseEntry), head: { count: head.count, lastHash: head.lastHash, time: head.time, signature: head.signature } }
}

function parseEntry(x: unknown, i: number): AuditEntry {
  if (!isRecord(x)) throw malformed(`entry ${i} is not an object`)
  const { seq, time, kind, sessionId, dataDigest, prevHash, hash, actor, ownerSignature, actorSignature } = x
  if (!isInt(seq) || !isInt(time) || typeof kind !== 'string' || typeof sessionId !== 'string') throw malformed(`entry ${i} has bad fields`)
  if (!isHex32(dataDigest)) throw malformed(`entry ${i}: dataDigest is not 32 bytes of hex`)
  if (!isHex32(prevHash)) throw malformed(`entry ${i}: prevHash is not 32 bytes of hex`)
  if (!isHex32(hash)) throw malformed(`entry ${i}: hash is not 32 bytes of hex`)
  if (actor !== null && !isHex(actor)) throw malformed(`entry ${i}: actor`)
  if (!isHex(ownerSignature)) throw malformed(`entry ${i}: ownerSignature`)
  if (actorSignature !== undefined && !isHex(actorSignature)) throw malformed(`entry ${i}: actorSignature`)
  return { seq, time, kind, sessionId, dataDigest, actor, prevHash, hash, ownerSignature, ...(actorSignature === undefined ? {} : { actorSignature }) }
}
