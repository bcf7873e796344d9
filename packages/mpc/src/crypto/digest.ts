/**
 * @module digest
 * Domain-separated digests of protocol messages: SHA-256 over a canonical JSON array whose first
 * element names the protocol version and the message kind. Everything a signature covers goes
 * through here, so a signature for one kind of message can never be replayed as another.
 */
import { sha256, toHex } from '#crypto-backend'
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
 * SHA-256 digests of large strings already hashed, per holding object (a share entry, a sum-share
 * message). A hit needs the very same holder and an equal string, so a payload that changed is
 * hashed again; nothing is kept alive that the holder does not keep alive.
 */
const hashed = new WeakMap<object, { value: string; hex: Hex }>()

/**
 * {@link sha256Hex} of `value`, a string held by `holder`, computed once per (holder, value): the
 * party that hashes its ciphertexts to sign them and a coordinator in the same process that checks
 * that signature hash each payload once.
 * @param ascii - true only when the caller knows `value` is ASCII (it encoded it itself)
 */
export function sha256HexOf(holder: object, value: string, ascii = false): Hex {
  const hit = hashed.get(holder)
  if (hit !== undefined && hit.value === value) return hit.hex
  // (`ascii`: the caller made `value`, e.g. by base64 encoding; its Latin-1 bytes are its UTF-8
  // bytes, and hashing them skips the UTF-8 transcoding)
  const hex: Hex = `0x${toHex(sha256(value, ascii))}`
  hashed.set(holder, { value, hex })
  return hex
}
