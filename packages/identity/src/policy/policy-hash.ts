/**
 * @module policy-hash
 * The hash a `PolicyRegistry` records for a policy document: keccak256 of its canonical JSON
 * (object keys sorted, no whitespace), so re-indenting the file does not change it and any edit
 * of its content does. Policy ids are bytes32: a name is hashed with keccak256.
 */
import { keccak256, toHex, type Hex } from 'viem'
import { aString } from '@krain/core'

/**
 * Canonical JSON: keys sorted at every level, no whitespace; only JSON values.
 * @throws TypeError on a value JSON cannot hold (undefined, function, bigint, non-finite number)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`)
}

/**
 * The registry hash of a policy document.
 * @example
 * ```ts
 * policyHash(JSON.parse(readFileSync('policy.json', 'utf8')))  // 0x…32 bytes
 * ```
 */
export function policyHash(doc: unknown): Hex {
  return keccak256(toHex(canonicalJson(doc)))
}

/** The bytes32 policy id of a name (a 0x-prefixed 32-byte hex id is returned as is, lower-cased). */
export function policyIdOf(name: string): Hex {
  aString(name, 'policy id', 200)
  if (/^0x[0-9a-fA-F]{64}$/.test(name)) return name.toLowerCase() as Hex
  if (name.length === 0) throw new RangeError('"policy id" expected a non-empty name')
  return keccak256(toHex(name))
}
