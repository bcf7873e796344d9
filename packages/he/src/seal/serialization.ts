/**
 * @module seal/serialization
 * Checks on SEAL's binary serialisation before bytes reach WebAssembly, and base64 helpers.
 * SEAL objects start with a 16-byte header: magic 0xA15E (LE), header size 16, version 4.x,
 * compression mode (0 none, 1 zlib, 2 zstd), 2 reserved bytes, then the total size as a u64 (LE).
 * Handing SEAL a truncated buffer aborts the WebAssembly module instead of throwing, so the
 * declared size is checked against the bytes here first.
 */
import { HeSerializationError } from '../errors.js'

/** Bytes of SEAL's serialisation header. */
export const SEAL_HEADER_BYTES = 16

/**
 * Check that `bytes` hold exactly one well-formed SEAL object (header and declared length).
 * @param bytes - serialised SEAL object
 * @param what - what it should be, for the message
 * @throws {HeSerializationError} on a bad magic number, version, compression mode or length
 */
export function checkSealBytes(bytes: Uint8Array, what: string): void {
  if (bytes.length < SEAL_HEADER_BYTES) throw new HeSerializationError({ shortMessage: `${what}: too short to be a SEAL object`, details: `${bytes.length} bytes` })
  if (bytes[0] !== 0x5e || bytes[1] !== 0xa1 || bytes[2] !== SEAL_HEADER_BYTES) throw new HeSerializationError({ shortMessage: `${what}: not a SEAL object (bad magic)` })
  if (bytes[3] !== 4 || bytes[5]! > 2 || bytes[6] !== 0 || bytes[7] !== 0) throw new HeSerializationError({ shortMessage: `${what}: unsupported SEAL serialisation version or compression` })
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = view.getBigUint64(8, true)
  if (size !== BigInt(bytes.length)) throw new HeSerializationError({ shortMessage: `${what}: length does not match its header (truncated or padded)`, details: `header says ${size} bytes, got ${bytes.length}` })
}

/** Encode bytes as standard base64. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * Decode standard base64 (strictly: only the base64 alphabet and padding).
 * @throws {HeSerializationError} on characters outside the alphabet
 */
export function fromBase64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new HeSerializationError({ shortMessage: `${what}: not valid base64` })
  const b = Buffer.from(text, 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/**
 * Accept bytes or base64 text at a boundary.
 * @throws {TypeError} when `v` is neither
 */
export function bytesOf(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return fromBase64(v, what)
  throw new TypeError(`"${what}" expected a Uint8Array or a base64 string, got ${v === null ? 'null' : typeof v}`)
}
