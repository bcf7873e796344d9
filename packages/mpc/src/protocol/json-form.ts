/**
 * @module json-form
 * Between the protocol objects in memory (share payloads as `Uint8Array`) and their JSON form
 * (payloads as canonical base64), for JSON transports and stored states. Signatures are defined
 * on the JSON form, so converting either way changes no signed field.
 */
import { fromBase64, toBase64 } from '#crypto-backend'
import type { JsonForm } from './types.js'

/** Fields that hold share payloads: bytes in memory, base64 in the JSON form. */
export const PAYLOAD_FIELDS: ReadonlySet<string> = new Set(['ciphertext', 'share'])

/**
 * The JSON form of a protocol message or state: every `Uint8Array` becomes its base64 string
 * (a new object tree; the input is not changed).
 * @param value - a message, a state, or any plain value holding them
 * @returns what `JSON.stringify` can write as is
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify({ message: toJsonForm(party.share(values, roster)) }) })
 */
export function toJsonForm<T>(value: T): JsonForm<T> {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return toBase64(v)
    if (Array.isArray(v)) return v.map(walk)
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x)
      return out
    }
    return v
  }
  return walk(value) as JsonForm<T>
}

/**
 * A stored state or trusted message back in memory: the strings under the payload fields
 * ({@link PAYLOAD_FIELDS}) become bytes. For input from elsewhere use `parsePartyMessage`, which
 * checks that each payload is canonical base64 of the right size.
 */
export function fromJsonForm<T>(value: JsonForm<T>): T {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return key !== undefined && PAYLOAD_FIELDS.has(key) ? fromBase64(v) : v
    if (v instanceof Uint8Array) return v
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined))
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k)
      return out
    }
    return v
  }
  return walk(value, undefined) as T
}
