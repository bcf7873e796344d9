/**
 * @module secagg/wire
 * JSON encodings of the SecAgg messages for an HTTP relay: byte strings as base64, the masked
 * vector as the base64 of its little-endian words, ciphertext maps as `{ "<recipient>": base64 }`.
 * Decoding checks the shape and sizes and throws `FED_MALFORMED_MESSAGE` (never a crash); the
 * signatures are checked by the server that takes the decoded message.
 */
import { FederatedError } from '../errors.js'
import type { AdvertiseMessage, MaskedInputMessage, ShareSeedsMessage, UnmaskMessage } from './protocol.js'

/** JSON form of {@link AdvertiseMessage}. */
export type AdvertiseJson = { from: number; cPk: string; sPk: string; vk: string; signature: string; identitySignature?: string }
/** JSON form of {@link ShareSeedsMessage}. */
export type ShareSeedsJson = { round: number; from: number; bCommitment: string; eCommitment: string; peers: number[]; pairSeal: string; ciphertexts: Record<string, string>; signature: string }
/** JSON form of {@link MaskedInputMessage}. */
export type MaskedInputJson = { round: number; from: number; y: string; signature: string }
/** JSON form of {@link UnmaskMessage}. */
export type UnmaskJson = { round: number; from: number; shares: { of: number; kind: 'e' | 'b'; share: string }[]; signature: string }

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
const bad = (what: string): FederatedError => new FederatedError('FED_MALFORMED_MESSAGE', { shortMessage: `malformed secagg message: ${what}` })
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
function bytes(v: unknown, name: string, len?: number, max = 1 << 26): Uint8Array {
  if (typeof v !== 'string' || v.length > max || !BASE64.test(v)) throw bad(`"${name}" expected base64`)
  const out = new Uint8Array(Buffer.from(v, 'base64'))
  if (len !== undefined && out.length !== len) throw bad(`"${name}" expected ${len} bytes, got ${out.length}`)
  return out
}
function int(v: unknown, name: string, min = 1, max = 2 ** 31): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw bad(`"${name}" expected an integer in [${min}, ${max}]`)
  return v as number
}
function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('expected an object')
  return v as Record<string, unknown>
}
const HEX64 = /^[0-9a-f]{64}$/

/** Encode an advertisement. */
export const advertiseToJson = (m: AdvertiseMessage): AdvertiseJson => ({ from: m.from, cPk: b64(m.cPk), sPk: b64(m.sPk), vk: b64(m.vk), signature: b64(m.signature), ...(m.identitySignature ? { identitySignature: m.identitySignature } : {}) })
/** Decode an advertisement. */
export function advertiseFromJson(v: unknown): AdvertiseMessage {
  const o = obj(v)
  const id = o.identitySignature
  if (id !== undefined && (typeof id !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(id))) throw bad('"identitySignature" expected a 65-byte 0x signature')
  return { from: int(o.from, 'from', 1, 1000), cPk: bytes(o.cPk, 'cPk', 32), sPk: bytes(o.sPk, 'sPk', 32), vk: bytes(o.vk, 'vk', 32), signature: bytes(o.signature, 'signature', 64), ...(id ? { identitySignature: id as `0x${string}` } : {}) }
}

/** Encode a ShareSeeds message. */
export const shareSeedsToJson = (m: ShareSeedsMessage): ShareSeedsJson => ({
  round: m.round,
  from: m.from,
  bCommitment: m.bCommitment,
  eCommitment: m.eCommitment,
  peers: [...m.peers],
  pairSeal: b64(m.pairSeal),
  ciphertexts: Object.fromEntries([...m.ciphertexts].map(([k, c]) => [String(k), b64(c)])),
  signature: b64(m.signature),
})
/** Decode a ShareSeeds message. */
export function shareSeedsFromJson(v: unknown): ShareSeedsMessage {
  const o = obj(v)
  if (typeof o.bCommitment !== 'string' || !HEX64.test(o.bCommitment) || typeof o.eCommitment !== 'string' || !HEX64.test(o.eCommitment)) throw bad('commitments expected 32-byte hex')
  if (!Array.isArray(o.peers) || o.peers.length > 1000) throw bad('"peers" expected an array')
  const peers = o.peers.map((p, k) => int(p, `peers[${k}]`, 1, 1000))
  const cts = obj(o.ciphertexts)
  if (Object.keys(cts).length > 1000) throw bad('too many ciphertexts')
  const ciphertexts = new Map<number, Uint8Array>(Object.entries(cts).map(([k, c]) => [int(Number(k), 'ciphertexts key', 1, 1000), bytes(c, `ciphertexts.${k}`, 12 + 64 + 16)]))
  return { round: int(o.round, 'round'), from: int(o.from, 'from', 1, 1000), bCommitment: o.bCommitment, eCommitment: o.eCommitment, peers, pairSeal: bytes(o.pairSeal, 'pairSeal', 12 + 32 * peers.length + 16), ciphertexts, signature: bytes(o.signature, 'signature', 64) }
}

/** Encode a masked input. */
export const maskedToJson = (m: MaskedInputMessage): MaskedInputJson => ({ round: m.round, from: m.from, y: b64(new Uint8Array(m.y.buffer, m.y.byteOffset, m.y.byteLength)), signature: b64(m.signature) })
/** Decode a masked input. */
export function maskedFromJson(v: unknown): MaskedInputMessage {
  const o = obj(v)
  const raw = bytes(o.y, 'y')
  if (raw.length % 8 !== 0) throw bad('"y" expected 8 bytes per element')
  return { round: int(o.round, 'round'), from: int(o.from, 'from', 1, 1000), y: new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4), signature: bytes(o.signature, 'signature', 64) }
}

/** Encode an unmasking response. */
export const unmaskToJson = (m: UnmaskMessage): UnmaskJson => ({ round: m.round, from: m.from, shares: m.shares.map((s) => ({ of: s.of, kind: s.kind, share: b64(s.share) })), signature: b64(m.signature) })
/** Decode an unmasking response. */
export function unmaskFromJson(v: unknown): UnmaskMessage {
  const o = obj(v)
  if (!Array.isArray(o.shares) || o.shares.length > 1000) throw bad('"shares" expected an array')
  const shares = o.shares.map((s, k) => {
    const x = obj(s)
    if (x.kind !== 'e' && x.kind !== 'b') throw bad(`"shares[${k}].kind" expected 'e' or 'b'`)
    return { of: int(x.of, `shares[${k}].of`, 1, 1000), kind: x.kind as 'e' | 'b', share: bytes(x.share, `shares[${k}].share`, 32) }
  })
  return { round: int(o.round, 'round'), from: int(o.from, 'from', 1, 1000), shares, signature: bytes(o.signature, 'signature', 64) }
}
