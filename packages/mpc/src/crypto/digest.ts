/**
 * @module digest
 * Domain-separated digests of protocol messages: SHA-256 over a canonical JSON array whose first
 * element names the protocol version and the message kind. Everything a signature covers goes
 * through here, so a signature for one kind of message can never be replayed as another.
 */
import { sha256, sha256OfBase64, toHex } from '#crypto-backend'
import type { Hex } from '../protocol/types.js'

/** Protocol tag bound into every digest, AAD and key derivation. */
export const PROTOCOL = 'krain-mpc/v1'

/** SHA-256 of a canonical JSON array `[PROTOCOL, kind, ...fields]`. */
export function messageDigest(kind: string, fields: readonly unknown[]): Uint8Array {
  return sha256(JSON.stringify([PROTOCOL, kind, ...fields]))
}

/** SHA-256 (hex) of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): Hex {
  return `0x${toHex(sha256(data))}`
}

/**
 * SHA-256 (hex) of the base64 text of `bytes`: the digest of a share payload that signatures
 * cover. It is defined on the payload's JSON form (base64), so logs and signatures made when the
 * protocol objects carried base64 strings still verify; computed here from the bytes in chunks,
 * never building the text. Not cached: a payload is a mutable array, and a cache keyed on it would
 * vouch for bytes changed after they were hashed.
 */
export function sha256HexOfBytes(bytes: Uint8Array): Hex {
  return `0x${toHex(sha256OfBase64(bytes))}`
}
