/**
 * @module wire/base64
 * Base64 (RFC 4648 §4, padded) between the protocol's JSON form and raw bytes, for the binary
 * wire codec. Under Node the conversions run in `Buffer`'s native code (found on `globalThis`,
 * not imported, so a browser bundle carries no Node built-in); elsewhere a table-driven JS loop.
 * Only canonical base64 is turned into bytes, so converting back restores the very same string and
 * every signature over the JSON form still verifies.
 */

type NodeBuffer = Uint8Array & { toString(encoding: 'base64'): string; write(s: string, offset: number, length: number, encoding: 'base64'): number }
type NodeBufferClass = { from(b: ArrayBufferLike, offset: number, length: number): NodeBuffer }

const NodeBuf: NodeBufferClass | undefined = (globalThis as { Buffer?: NodeBufferClass }).Buffer

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/** Bytes that `s` decodes to, or -1 when `s` is not canonical padded base64 (checked by length and padding only; see {@link writeBase64}). */
export function base64Length(s: string): number {
  if (s.length % 4 !== 0) return -1
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  return (s.length / 4) * 3 - pad
}

/**
 * Decode canonical base64 `s` into `out` at `offset` (`base64Length(s)` bytes).
 * @returns false, with `out` partly written, when `s` is not canonical base64 (a character outside
 *   the alphabet, non-zero trailing bits, misplaced padding)
 */
export function writeBase64(s: string, out: Uint8Array, offset: number): boolean {
  const n = base64Length(s)
  if (n < 0) return false
  if (NodeBuf !== undefined) {
    // Node's decoder skips characters outside the alphabet and stops at a misplaced '=' (each
    // costs at least one byte of the n expected), and also takes the URL-safe '-' and '_': both
    // are refused here, as is a last quartet that does not re-encode to itself (non-zero
    // trailing bits).
    if (s.indexOf('-') >= 0 || s.indexOf('_') >= 0) return false
    const view = NodeBuf.from(out.buffer, out.byteOffset + offset, n)
    if (view.write(s, 0, n, 'base64') !== n) return false
    if (s.length === 0) return true
    const tailBytes = n - (s.length / 4 - 1) * 3
    return NodeBuf.from(out.buffer, out.byteOffset + offset + n - tailBytes, tailBytes).toString('base64') === s.slice(-4)
  }
  let o = offset
  const body = n % 3 === 0 ? s.length : s.length - 4
  for (let i = 0; i < body; i += 4) {
    const a = DECODE[s.charCodeAt(i)] ?? -1
    const b = DECODE[s.charCodeAt(i + 1)] ?? -1
    const c = DECODE[s.charCodeAt(i + 2)] ?? -1
    const d = DECODE[s.charCodeAt(i + 3)] ?? -1
    if ((a | b | c | d) < 0) return false
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >>> 16
    out[o++] = (v >>> 8) & 0xff
    out[o++] = v & 0xff
  }
  if (body === s.length) return true
  const a = DECODE[s.charCodeAt(body)] ?? -1
  const b = DECODE[s.charCodeAt(body + 1)] ?? -1
  if ((a | b) < 0) return false
  if (n % 3 === 1) {
    if ((b & 0x0f) !== 0) return false
    out[o] = (a << 2) | (b >>> 4)
    return true
  }
  const c = DECODE[s.charCodeAt(body + 2)] ?? -1
  if (c < 0 || (c & 0x03) !== 0) return false
  out[o++] = (a << 2) | (b >>> 4)
  out[o] = ((b & 0x0f) << 4) | (c >>> 2)
  return true
}

/** Canonical padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuf !== undefined) return NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
  const parts: string[] = []
  let chunk = ''
  const full = bytes.length - (bytes.length % 3)
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    chunk += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!
    if (chunk.length >= 1 << 16) (parts.push(chunk), (chunk = ''))
  }
  if (bytes.length - full === 1) {
    const v = bytes[full]! << 16
    chunk += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}==`
  } else if (bytes.length - full === 2) {
    const v = (bytes[full]! << 16) | (bytes[full + 1]! << 8)
    chunk += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}${ALPHABET[(v >>> 6) & 63]!}=`
  }
  parts.push(chunk)
  return parts.join('')
}
