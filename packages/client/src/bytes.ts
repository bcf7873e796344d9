/**
 * @module client/bytes
 * Base64 of bytes in Node (Buffer, fast for megabyte ciphertexts) and in a browser (`btoa`), so the
 * SDK's classes run in both without a Buffer polyfill of their own.
 */

type NodeBuffer = { from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string } }

/** Base64 of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: NodeBuffer }).Buffer
  if (B) return B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}
