/**
 * @module digest
 * Domain-separated digests of protocol messages: SHA-256 over a canonical JSON array whose first
 * element names the protocol version and the message kind. Everything a signature covers goes
 * through here, so a signature for one kind of message can never be replayed as another.
 */
import { createHash } from 'node:crypto'
import type { Hex } from '../protocol/types.js'

/** Protocol tag bound into every digest, AAD and key derivation. */
export const PROTOCOL = 'krain-mpc/v1'

/** SHA-256 of a canonical JSON array `[PROTOCOL, kind, ...fields]`. */
export function messageDigest(kind: string, fields: readonly unknown[]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(JSON.stringify([PROTOCOL, kind, ...fields])).digest())
}

/** SHA-256 (hex) of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): Hex {
  return `0x${createHash('sha256').update(data).digest('hex')}`
}
