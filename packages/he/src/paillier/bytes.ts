/**
 * @module paillier/bytes
 * Big-endian byte, hex and base64url forms of non-negative bigints (the forms used by our JSON
 * and by python-paillier's JWK keys, whose `int_to_base64` is unpadded base64url of the
 * minimal big-endian bytes).
 */

/** Minimal big-endian bytes of a non-negative bigint (one zero byte for 0). */
export function bigintToBytes(x: bigint): Uint8Array {
  let hex = x.toString(16)
  if (hex.length % 2) hex = '0' + hex
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The non-negative bigint of big-endian bytes. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  let hex = ''
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16)
  return BigInt('0x' + hex)
}

/** Unpadded base64url of the minimal big-endian bytes. */
export function bigintToBase64Url(x: bigint): string {
  return Buffer.from(bigintToBytes(x)).toString('base64url')
}

const B64URL = /^[A-Za-z0-9_-]+$/

/** Parse unpadded base64url into a bigint; `undefined` when the text is not base64url. */
export function base64UrlToBigint(s: string): bigint | undefined {
  if (!B64URL.test(s) || s.length % 4 === 1) return undefined
  return bytesToBigint(new Uint8Array(Buffer.from(s, 'base64url')))
}

const HEX = /^[0-9a-f]+$/

/** Lower-case hex without prefix. */
export function bigintToHex(x: bigint): string {
  return x.toString(16)
}

/** Parse lower-case hex without prefix; `undefined` when it is not. */
export function hexToBigint(s: string): bigint | undefined {
  if (!HEX.test(s)) return undefined
  return BigInt('0x' + s)
}
