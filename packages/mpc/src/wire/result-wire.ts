/**
 * @module wire/result-wire
 * The binary form of a session's aggregate ({@link AggregateResult}) for transports that carry
 * bytes (`application/cbor`, as the other protocol messages): the same CBOR map as the JSON
 * object, except for its two vectors: `values` is a byte string of IEEE 754 doubles
 * (little-endian, 8 bytes per element) and `sum` one text string, the decimal integers joined by
 * commas. With 100,000 elements a party reads it in ~5 ms (one copy and one split), against
 * ~25 ms to decode and parse the 1.7 MB of JSON text, which builds 200,000 numbers and strings.
 *
 * Nothing is lost: `sum` decodes to the same decimal strings and `values` to the same doubles.
 */
import { MpcError } from '../errors.js'
import type { AggregateResult } from '../protocol/types.js'
import { decodeCbor, encodeCbor } from './cbor.js'

const VECTORS: ReadonlySet<string> = new Set(['values'])
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const INTEGER = /^-?\d{1,40}$/

const bad = (why: string): never => {
  throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage: `binary result: ${why}` })
}

/**
 * Encode an aggregate in its binary form.
 * @param result - the coordinator's result
 * @returns the CBOR bytes
 * @throws TypeError when a sum is not a decimal integer (no session produces one)
 */
export function encodeResult(result: AggregateResult): Uint8Array {
  const n = result.values.length
  if (result.sum.length !== n) throw new TypeError(`encodeResult: ${result.sum.length} sums for ${n} values`)
  const values = new DataView(new ArrayBuffer(8 * n))
  for (let i = 0; i < n; i++) {
    if (!INTEGER.test(result.sum[i]!)) throw new TypeError(`encodeResult: sum[${i}] is not a decimal integer: ${JSON.stringify(result.sum[i])}`)
    values.setFloat64(8 * i, result.values[i]!, true)
  }
  return encodeCbor({ ...result, sum: result.sum.join(','), values: new Uint8Array(values.buffer) }, { bytesFields: VECTORS })
}

/** An aligned copy of `b` (typed arrays need their element alignment). */
const aligned = (b: Uint8Array): ArrayBuffer => {
  const out = new Uint8Array(b.length)
  out.set(b)
  return out.buffer
}

/**
 * Decode an aggregate's binary form ({@link encodeResult}).
 * @param bytes - the CBOR bytes
 * @returns the aggregate, `sum` as decimal strings and `values` as numbers, as in JSON
 * @throws `MpcError` `MPC_MALFORMED_MESSAGE` on bytes that are not a result in this form
 */
export function decodeResult(bytes: Uint8Array): AggregateResult {
  const m = decodeCbor(bytes, { rawFields: VECTORS }) as Record<string, unknown>
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return bad('expected a CBOR map')
  if (m.type !== 'result') return bad(`expected type "result", got ${JSON.stringify(m.type)}`)
  const { sum: s, values: v } = m
  if (typeof s !== 'string' || !(v instanceof Uint8Array)) return bad('"sum" must be a text string and "values" a byte string')
  if (v.length % 8 !== 0) return bad(`"values" (${v.length} bytes) must hold 8-byte entries`)
  const n = v.length / 8
  const sum = n === 0 ? [] : s.split(',')
  if (sum.length !== n || (n === 0 && s !== '')) return bad(`"sum" holds ${sum.length} integers for ${n} values`)
  for (let i = 0; i < n; i++) if (!INTEGER.test(sum[i]!)) bad(`sum[${i}] is not a decimal integer`)
  const values = new Array<number>(n)
  if (LITTLE_ENDIAN) {
    const doubles = new Float64Array(aligned(v))
    for (let i = 0; i < n; i++) values[i] = doubles[i]! // a loop: Array.from of a typed array is ~5x slower on V8
  } else {
    const view = new DataView(v.buffer, v.byteOffset, v.length)
    for (let i = 0; i < n; i++) values[i] = view.getFloat64(8 * i, true)
  }
  return { ...(m as unknown as AggregateResult), sum, values }
}
