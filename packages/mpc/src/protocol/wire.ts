/**
 * @module wire
 * A compact binary framing of any protocol message, for transports that can carry bytes
 * (`application/octet-stream`): the message's large base64 fields are carried as raw bytes, the
 * rest as JSON. `unpackMessage(packMessage(m))` deep-equals `m`, so signatures (which cover the
 * JSON form) verify unchanged. It removes base64's 4/3 overhead: a share upload is within ~3% of
 * the information-theoretic minimum instead of ~38% above it.
 *
 * Layout: `"KMP1"` ‖ u32 LE header length ‖ header JSON (UTF-8) ‖ blob bytes, concatenated. In the
 * header, every replaced string is `{ "$b": [offset, length] }` into the blob area.
 */
import { MpcError } from '../errors.js'

const MAGIC = 0x31504d4b // "KMP1" little-endian
const MIN_BLOB = 64

/** Cheap test that `s` looks like canonical base64 (ends checked; the body is checked by length after decoding). */
const looksBase64 = (s: string): boolean => s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s.slice(-8)) && /^[A-Za-z0-9+/]{4}/.test(s)

/**
 * Pack a message (any plain JSON value) into bytes.
 * @returns the framed bytes
 */
export function packMessage(message: unknown): Uint8Array {
  const blobs: Buffer[] = []
  let offset = 0
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      blobs.push(Buffer.from(v.buffer, v.byteOffset, v.length))
      const ref = { $b: [offset, v.length] }
      offset += v.length
      return ref
    }
    if (typeof v === 'string' && v.length >= MIN_BLOB && looksBase64(v)) {
      const b = Buffer.from(v, 'base64')
      // only canonical base64 is replaced, so unpacking restores the very same string: a
      // character outside the alphabet would shorten the decoded length, and non-zero trailing
      // bits would not re-encode to the same last quartet
      const pad = v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0
      const tail = v.slice(-4)
      if (b.length !== (v.length / 4) * 3 - pad || Buffer.from(tail, 'base64').toString('base64') !== tail) return v
      blobs.push(b)
      const ref = { $b: [offset, b.length] }
      offset += b.length
      return ref
    }
    if (Array.isArray(v)) return v.map(walk)
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  const header = Buffer.from(JSON.stringify(walk(message)))
  const out = Buffer.allocUnsafe(8 + header.length + offset)
  out.writeUInt32LE(MAGIC, 0)
  out.writeUInt32LE(header.length, 4)
  header.copy(out, 8)
  let at = 8 + header.length
  for (const b of blobs) (b.copy(out, at), (at += b.length))
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/**
 * Unpack what {@link packMessage} produced.
 * @throws `MPC_MALFORMED_MESSAGE` on bad framing
 */
export function unpackMessage(bytes: Uint8Array): unknown {
  const bad = (why: string): never => {
    throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage: `packed message: ${why}` })
  }
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) return bad('too short')
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  if (buf.readUInt32LE(0) !== MAGIC) bad('bad magic')
  const hlen = buf.readUInt32LE(4)
  if (8 + hlen > buf.length) bad('header length out of range')
  let header: unknown
  try {
    header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'))
  } catch {
    return bad('header is not JSON')
  }
  const blobArea = buf.subarray(8 + hlen)
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk)
    if (typeof v === 'object' && v !== null) {
      const ref = (v as { $b?: unknown }).$b
      if (ref !== undefined && Object.keys(v).length === 1) {
        if (!Array.isArray(ref) || ref.length !== 2 || !ref.every((x) => Number.isSafeInteger(x) && x >= 0)) bad('bad blob reference')
        const [o, l] = ref as [number, number]
        if (o + l > blobArea.length) bad('blob reference out of range')
        return blobArea.subarray(o, o + l).toString('base64')
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    }
    return v
  }
  return walk(header)
}
