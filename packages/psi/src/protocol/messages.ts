/**
 * @module messages
 * The wire format of `@krain/psi`: small binary frames a gateway can relay without reading
 * (it sees only blinded points).
 *
 * ```
 * 0  magic "KPSI" | 4 version=1 | 5 type | 6 variant | 7 flags (bit0: last chunk)
 * 8  sessionId (16 bytes) | 24 chunk index u32 LE | 28 item count u32 LE | 32 value bytes u32 LE
 * 36 count × 32-byte X25519 u-coordinates, then count × valueBytes (sum variant: Paillier ciphertexts)
 * ```
 * Types: 1 BLINDED (the receiver's H(x)^a), 2 DOUBLE (those re-blinded by the sender; shuffled
 * except in the intersection variant), 3 PEER (the sender's H(y)^b, shuffled, with values),
 * 4 SUM (the receiver's homomorphic sum, one ciphertext).
 */
import { PsiError } from '../errors.js'

export const MSG_BLINDED = 1
export const MSG_DOUBLE = 2
export const MSG_PEER = 3
export const MSG_SUM = 4

/** PSI variants. */
export type PsiVariant = 'intersection' | 'cardinality' | 'sum'
export const VARIANTS: readonly PsiVariant[] = ['intersection', 'cardinality', 'sum']

export const HEADER_BYTES = 36
/** Largest items in one chunk. */
export const MAX_CHUNK_ITEMS = 1 << 20

/** A decoded frame. Buffers are views of the input. */
export type PsiFrame = {
  type: number
  variant: PsiVariant
  last: boolean
  sessionId: Uint8Array
  chunk: number
  count: number
  valueBytes: number
  points: Uint8Array
  values: Uint8Array
}

/** Encode one frame. */
export function encodeFrame(f: Omit<PsiFrame, 'count'> & { count?: number }): Uint8Array {
  const count = f.count ?? f.points.length / 32
  const out = new Uint8Array(HEADER_BYTES + f.points.length + f.values.length)
  out.set([0x4b, 0x50, 0x53, 0x49, 1, f.type, VARIANTS.indexOf(f.variant), f.last ? 1 : 0], 0)
  out.set(f.sessionId, 8)
  const dv = new DataView(out.buffer)
  dv.setUint32(24, f.chunk, true)
  dv.setUint32(28, count, true)
  dv.setUint32(32, f.valueBytes, true)
  out.set(f.points, HEADER_BYTES)
  out.set(f.values, HEADER_BYTES + f.points.length)
  return out
}

const malformed = (d: string): PsiError => new PsiError('PSI_MALFORMED_MESSAGE', { shortMessage: 'malformed PSI message', details: d })

/**
 * Decode and validate a frame: magic, version, type, lengths, and every point a canonical
 * u-coordinate (< 2^255 − 19).
 * @throws PsiError `PSI_MALFORMED_MESSAGE` or `PSI_BAD_POINT`.
 */
export function decodeFrame(bytes: unknown): PsiFrame {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"message" expected a Uint8Array, got ${typeof bytes}`)
  if (bytes.length < HEADER_BYTES) throw malformed(`${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`)
  if (bytes[0] !== 0x4b || bytes[1] !== 0x50 || bytes[2] !== 0x53 || bytes[3] !== 0x49) throw malformed('bad magic')
  if (bytes[4] !== 1) throw malformed(`unsupported version ${bytes[4]}`)
  const type = bytes[5]!
  if (type < 1 || type > 4) throw malformed(`unknown message type ${type}`)
  const variant = VARIANTS[bytes[6]!]
  if (!variant) throw malformed(`unknown variant ${bytes[6]}`)
  if (bytes[7]! > 1) throw malformed('unknown flags')
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const chunk = dv.getUint32(24, true)
  const count = dv.getUint32(28, true)
  const valueBytes = dv.getUint32(32, true)
  if (count > MAX_CHUNK_ITEMS) throw malformed(`${count} items exceeds the chunk limit ${MAX_CHUNK_ITEMS}`)
  if (valueBytes > 4096) throw malformed(`value size ${valueBytes} exceeds 4096 bytes`)
  const perItem = type === MSG_SUM ? 0 : 32
  const valueCount = type === MSG_SUM ? 1 : valueBytes > 0 ? count : 0
  const expected = HEADER_BYTES + count * perItem + valueCount * valueBytes
  if (bytes.length !== expected) throw malformed(`expected ${expected} bytes for ${count} items, got ${bytes.length}`)
  const points = bytes.subarray(HEADER_BYTES, HEADER_BYTES + count * perItem)
  for (let i = 0; i < count * perItem; i += 32) if (!canonicalU(points, i)) throw new PsiError('PSI_BAD_POINT', { shortMessage: `item ${i / 32} of chunk ${chunk} is not a canonical X25519 u-coordinate` })
  return { type, variant, last: bytes[7] === 1, sessionId: bytes.subarray(8, 24), chunk, count, valueBytes, points, values: bytes.subarray(HEADER_BYTES + count * perItem) }
}

/** True when the 32 bytes at `o` encode an integer < 2^255 − 19 (little-endian). */
export function canonicalU(b: Uint8Array, o: number): boolean {
  const top = b[o + 31]!
  if (top < 0x7f) return true
  if (top > 0x7f) return false
  for (let i = 30; i >= 1; i--) if (b[o + i] !== 0xff) return true
  return b[o]! < 0xed
}
