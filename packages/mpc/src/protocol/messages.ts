/**
 * @module messages
 * Digests (what each signature covers), structural validation of incoming messages, and the
 * byte codec of residue vectors. Validation here is about shape only (types, sizes, encodings);
 * session, membership, round and signature checks are the coordinator's and the party's.
 */
import { bytesToHex } from 'viem/utils'
import { MpcError } from '../errors.js'
import { messageDigest, sha256HexOfBytes } from '../crypto/digest.js'
import { base64Length, writeBase64 } from '../wire/base64.js'
import { anAddress } from '../crypto/identity.js'
import { isBase64Of, AEAD_OVERHEAD, KEY_COMMITMENT_BYTES } from '../crypto/share-encryption.js'
import { ELEMENT_BYTES, P1, P2 } from '../field/field.js'
import type { Address, ContributorsMessage, EncryptedShare, Hex, JoinMessage, PartyMessage, RosterMessage, SessionConfig, SharesMessage, SumShareMessage } from './types.js'

const malformed = (shortMessage: string): never => {
  throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage })
}

/** Digest a join signs. */
export function joinDigest(m: Pick<JoinMessage, 'sessionId' | 'from' | 'encryptionKey'>): Uint8Array {
  return messageDigest('join', [m.sessionId, m.from, m.encryptionKey])
}

/** Digest the coordinator signs over a roster. */
export function rosterDigest(m: Pick<RosterMessage, 'sessionId' | 'members'>): Uint8Array {
  return messageDigest('roster', [m.sessionId, m.members.map((j) => [j.from, j.encryptionKey, j.signature])])
}

/** `[to, sha256(ciphertext)]` of every share of an upload. */
export function sharesManifest(m: Pick<SharesMessage, 'shares'>): [Address, Hex][] {
  return m.shares.map((s) => [s.to, sha256HexOfBytes(s.ciphertext)])
}

/** Digest a share upload signs (from its manifest, so one recipient can check its part). */
export function sharesDigest(sessionId: Hex, from: Address, manifest: [Address, Hex][]): Uint8Array {
  return messageDigest('shares', [sessionId, from, manifest])
}

/** Digest the coordinator signs over the contributor set. */
export function contributorsDigest(m: Pick<ContributorsMessage, 'sessionId' | 'contributors'>): Uint8Array {
  return messageDigest('contributors', [m.sessionId, m.contributors])
}

/** Digest a sum-share signs. */
export function sumShareDigest(m: Pick<SumShareMessage, 'sessionId' | 'from' | 'contributorsDigest' | 'share'>): Uint8Array {
  return messageDigest('sum-share', [m.sessionId, m.from, m.contributorsDigest, sha256HexOfBytes(m.share)])
}

/** Hex form of {@link contributorsDigest}. */
export function contributorsDigestHex(m: Pick<ContributorsMessage, 'sessionId' | 'contributors'>): Hex {
  return bytesToHex(contributorsDigest(m))
}

/** Bytes of a residue vector of length L on the wire. */
export const vectorBytes = (length: number): number => length * ELEMENT_BYTES
/** Bytes of one encrypted share of a vector of length L: key commitment ‖ nonce ‖ AES-GCM ‖ tag. */
export const ciphertextBytes = (length: number): number => KEY_COMMITMENT_BYTES + vectorBytes(length) + AEAD_OVERHEAD

/** Residue vector → bytes (little-endian uint32s). */
export function vectorToBytes(v: Uint32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
}

/** Bytes → residue vector (a view when the bytes are 4-byte aligned, else an aligned copy). */
export function bytesToVector(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.length / 4)
  const out = new Uint32Array(b.length / 4)
  new Uint8Array(out.buffer).set(b)
  return out
}

/** True when every residue of a vector is below its prime (field range check). */
export function inField(v: Uint32Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (v[i]! >= P1) return false
  for (let i = length; i < 2 * length; i++) if (v[i]! >= P2) return false
  return true
}

/**
 * A share payload as received: its bytes (a `Uint8Array` from the binary form is taken as is, a
 * string from the JSON form must be canonical base64) when it has exactly `bytes` bytes, else
 * undefined. The recipient authenticates (AEAD) the bytes themselves.
 */
export function payloadOf(v: unknown, bytes: number): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v.length === bytes ? v : undefined
  if (typeof v !== 'string' || base64Length(v) !== bytes) return undefined
  const out = new Uint8Array(bytes)
  return writeBase64(v, out, 0) ? out : undefined
}

const isHex = (v: unknown, bytes: number): v is Hex => typeof v === 'string' && v.length === 2 + 2 * bytes && /^0x[0-9a-fA-F]*$/.test(v)
const sig = (v: unknown, what: string): Hex => (isHex(v, 65) ? v : malformed(`${what}: "signature" expected 65 bytes of 0x-hex`))
const addr = (v: unknown, what: string): Address => {
  try {
    const a = anAddress(v, what)
    if (a !== v) malformed(`${what}: expected an EIP-55 checksummed address`)
    return a
  } catch (e) {
    if (e instanceof MpcError) throw e
    return malformed(`${what}: expected an address`)
  }
}
const obj = (v: unknown, what: string): Record<string, unknown> => (isRecord(v) ? v : malformed(`${what}: expected an object`))
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const keys = (o: Record<string, unknown>, allowed: string[], what: string): void => {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) malformed(`${what}: unexpected field "${k}"`)
}
/** `v` if it is an array of `min..max` items, else `MPC_MALFORMED_MESSAGE` with `message`. */
const items = (v: unknown, min: number, max: number, message: string): unknown[] => (Array.isArray(v) && v.length >= min && v.length <= max ? v : malformed(message))

function encryptedShare(s: unknown, i: number, ctLen: number): EncryptedShare {
  const e = obj(s, `shares.shares[${i}]`)
  keys(e, ['to', 'ciphertext'], `shares.shares[${i}]`)
  const to = addr(e.to, `shares.shares[${i}].to`)
  const ciphertext = payloadOf(e.ciphertext, ctLen) ?? malformed(`shares.shares[${i}]: "ciphertext" expected ${ctLen} bytes (base64 in JSON)`)
  return { to, ciphertext }
}

function manifestEntry(e: unknown, i: number): [Address, Hex] {
  if (!Array.isArray(e) || e.length !== 2) return malformed(`dealer-complaint.manifest[${i}] expected [address, sha256]`)
  const [to, digest]: unknown[] = e
  if (!isHex(digest, 32)) return malformed(`dealer-complaint.manifest[${i}] expected [address, sha256]`)
  return [addr(to, `dealer-complaint.manifest[${i}][0]`), digest]
}

/**
 * Check the shape of a message a party sent, against the session's sizes.
 * @returns the message, decoded field by field
 * @throws `MpcError` `MPC_MALFORMED_MESSAGE` naming what is wrong
 */
export function parsePartyMessage(raw: unknown, config: SessionConfig): PartyMessage {
  const m = obj(raw, 'message')
  const sessionId = m.sessionId
  if (!isHex(sessionId, 32)) return malformed('message: "sessionId" expected 32 bytes of 0x-hex')
  switch (m.type) {
    case 'join': {
      keys(m, ['type', 'sessionId', 'from', 'encryptionKey', 'signature'], 'join')
      const from = addr(m.from, 'join.from')
      const encryptionKey = m.encryptionKey
      if (!isBase64Of(encryptionKey, 32)) return malformed('join: "encryptionKey" expected base64 of 32 bytes')
      const signature = sig(m.signature, 'join')
      return { type: 'join', sessionId, from, encryptionKey, signature }
    }
    case 'shares': {
      keys(m, ['type', 'sessionId', 'from', 'shares', 'signature'], 'shares')
      const from = addr(m.from, 'shares.from')
      const signature = sig(m.signature, 'shares')
      const ctLen = ciphertextBytes(config.length)
      const shares = items(m.shares, 1, config.parties.length - 1, `shares: "shares" expected 1..${config.parties.length - 1} items`).map((e, i) => encryptedShare(e, i, ctLen))
      return { type: 'shares', sessionId, from, shares, signature }
    }
    case 'sum-share': {
      keys(m, ['type', 'sessionId', 'from', 'contributorsDigest', 'share', 'signature'], 'sum-share')
      const from = addr(m.from, 'sum-share.from')
      const signature = sig(m.signature, 'sum-share')
      const { contributorsDigest } = m
      if (!isHex(contributorsDigest, 32)) return malformed('sum-share: "contributorsDigest" expected 32 bytes of 0x-hex')
      const share = payloadOf(m.share, vectorBytes(config.length)) ?? malformed(`sum-share: "share" expected ${vectorBytes(config.length)} bytes (base64 in JSON)`)
      return { type: 'sum-share', sessionId, from, contributorsDigest, share, signature }
    }
    case 'dealer-complaint': {
      keys(m, ['type', 'sessionId', 'from', 'dealer', 'ciphertext', 'manifest', 'dealerSignature', 'key', 'signature'], 'dealer-complaint')
      const from = addr(m.from, 'dealer-complaint.from')
      const dealer = addr(m.dealer, 'dealer-complaint.dealer')
      const signature = sig(m.signature, 'dealer-complaint')
      const dealerSignature = sig(m.dealerSignature, 'dealer-complaint.dealer')
      const { key } = m
      if (!isBase64Of(key, 32)) return malformed('dealer-complaint: "key" expected base64 of 32 bytes')
      const ciphertext = payloadOf(m.ciphertext, ciphertextBytes(config.length)) ?? malformed(`dealer-complaint: "ciphertext" expected ${ciphertextBytes(config.length)} bytes (base64 in JSON)`)
      const manifest = items(m.manifest, 1, config.parties.length - 1, 'dealer-complaint: "manifest" expected the dealer\'s signed manifest').map(manifestEntry)
      return { type: 'dealer-complaint', sessionId, from, dealer, ciphertext, manifest, dealerSignature, key, signature }
    }
    default:
      return malformed(`message: unknown "type" ${JSON.stringify(String(m.type).slice(0, 40))}`)
  }
}
