/**
 * @module canonical
 * Canonical JSON (RFC 8785 style for the values we use: strings, safe integers, booleans, null,
 * arrays, objects with keys sorted by code unit) and SHA-256 over it with a domain tag, so the
 * same entry hashes the same everywhere.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/** Canonical JSON text of `v`. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`canonical encoding takes safe integers only, got ${v}`)
    return String(v)
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  throw new TypeError(`canonical encoding cannot encode ${typeof v}`)
}

/** SHA-256 of `tag ‖ 0x00 ‖ canonicalJson(v)`. */
export function taggedDigest(tag: string, v: unknown): Uint8Array {
  return sha256(new TextEncoder().encode(`${tag}\u0000${canonicalJson(v)}`))
}

/** SHA-256 hex (0x-prefixed) of arbitrary data (a string, bytes, or a JSON value). */
export function dataDigest(data: unknown): `0x${string}` {
  const bytes = data instanceof Uint8Array ? data : new TextEncoder().encode(typeof data === 'string' ? data : canonicalJson(data))
  return `0x${bytesToHex(sha256(bytes))}`
}

export const hex = (b: Uint8Array): `0x${string}` => `0x${bytesToHex(b)}`
