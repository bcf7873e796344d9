/**
 * @module wire/cbor
 * The subset of CBOR (RFC 8949) that carries the protocol's messages: unsigned and negative
 * integers (safe range), byte strings, UTF-8 text strings, arrays, maps with text keys, `false`,
 * `true` and `null`; definite lengths and shortest ("preferred", §4.2.1) argument encodings only.
 * Floats, tags, indefinite lengths, duplicate or non-text map keys and trailing bytes are refused,
 * so a message has exactly one encoding and the decoder never guesses. No dependency: a Python
 * (`cbor2`), Rust (`ciborium`) or Go client reads and writes the same bytes.
 *
 * Encoding is two passes (sizes, then one write into one buffer): a `Uint8Array` is written as a
 * byte string with one copy, and a base64 string under a bytes field is decoded straight into the
 * output. Decoding returns the byte strings under the caller's `rawFields` as views into the input
 * (no copy), the others as base64 strings.
 */
import { MpcError } from '../errors.js'
import { base64Length, toBase64, writeBase64 } from './base64.js'

const bad = (why: string): never => {
  throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage: `binary message: ${why}` })
}

/** Items nested deeper than this are refused (protocol messages nest 4 levels). */
const MAX_DEPTH = 16

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** Bytes of a head (major type + argument) with argument `n`. */
const headLength = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9)

function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[at] = m | n
    return at + 1
  }
  if (n < 0x100) {
    out[at] = m | 24
    out[at + 1] = n
    return at + 2
  }
  if (n < 0x10000) {
    out[at] = m | 25
    out[at + 1] = n >>> 8
    out[at + 2] = n & 0xff
    return at + 3
  }
  if (n < 0x100000000) {
    out[at] = m | 26
    out[at + 1] = n >>> 24
    out[at + 2] = (n >>> 16) & 0xff
    out[at + 3] = (n >>> 8) & 0xff
    out[at + 4] = n & 0xff
    return at + 5
  }
  out[at] = m | 27
  const hi = Math.floor(n / 0x100000000)
  const lo = n >>> 0
  for (let i = 0; i < 4; i++) out[at + 1 + i] = (hi >>> (24 - 8 * i)) & 0xff
  for (let i = 0; i < 4; i++) out[at + 5 + i] = (lo >>> (24 - 8 * i)) & 0xff
  return at + 9
}

/**
 * Options of {@link encodeCbor}: which text fields travel as byte strings. A string under one of
 * these keys that is canonical base64 becomes the byte string of its bytes (and decodes back to
 * the same string); any other string stays text. A `Uint8Array` (under any key) is always a byte
 * string.
 */
export type EncodeCborOptions = { bytesFields: ReadonlySet<string> }

/**
 * Encode a JSON-like value (no floats; `undefined` properties are left out, as JSON does).
 * @returns the encoding, in one freshly allocated buffer
 * @throws TypeError for a value outside the subset (a float, a function, nesting beyond the limit)
 */
export function encodeCbor(value: unknown, options: EncodeCborOptions): Uint8Array {
  return encodeSplit(value, options, Infinity).out
}

/**
 * {@link encodeCbor}'s output as a list of parts whose concatenation is that encoding: every
 * `Uint8Array` of at least `minPart` bytes in `value` is a part of its own, the very array (not a
 * copy), for a transport that writes the parts one after the other (a large answer is then never
 * copied into one buffer).
 * @returns the parts, in order, and their total length
 * @throws as {@link encodeCbor}
 */
export function encodeCborParts(value: unknown, options: EncodeCborOptions, minPart = 1 << 12): { parts: Uint8Array[]; length: number } {
  const { out, splices } = encodeSplit(value, options, minPart)
  const parts: Uint8Array[] = []
  let from = 0
  let length = out.length
  for (const [at, bytes] of splices) {
    if (at > from) parts.push(out.subarray(from, at))
    parts.push(bytes)
    length += bytes.length
    from = at
  }
  if (out.length > from) parts.push(out.subarray(from))
  return { parts, length }
}

/** Encode `value`, leaving out each `Uint8Array` of at least `split` bytes (its head is written): `splices` says where each goes. */
function encodeSplit(value: unknown, { bytesFields }: EncodeCborOptions, split: number): { out: Uint8Array; splices: [number, Uint8Array][] } {
  let splices: [number, Uint8Array][] = []
  const texts = new Map<string, Uint8Array>() // short texts (keys, addresses) encoded once
  const notBase64 = new Set<string>() // strings under a bytes field found not canonical: written as text
  const bytesLength = (key: string | undefined, v: string): number => (key !== undefined && bytesFields.has(key) && !notBase64.has(v) ? base64Length(v) : -1)
  const text = (s: string): Uint8Array => {
    if (s.length >= 256) return textEncoder.encode(s)
    let t = texts.get(s)
    if (t === undefined) texts.set(s, (t = textEncoder.encode(s)))
    return t
  }
  const entriesOf = (v: object): [string, unknown][] => Object.entries(v).filter(([, x]) => x !== undefined)
  const measure = (v: unknown, key: string | undefined, depth: number): number => {
    if (depth > MAX_DEPTH) throw new TypeError('encodeCbor: value nested too deeply')
    if (v instanceof Uint8Array) return headLength(v.length) + (v.length >= split ? 0 : v.length)
    if (typeof v === 'string') {
      const n = bytesLength(key, v)
      const len = n >= 0 ? n : text(v).length
      return headLength(len) + len
    }
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new TypeError(`encodeCbor: only safe integers are encoded, got ${v}`)
      return headLength(v < 0 ? -1 - v : v)
    }
    if (typeof v === 'boolean' || v === null) return 1
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + measure(x, undefined, depth + 1), headLength(v.length))
    if (typeof v === 'object') {
      const entries = entriesOf(v)
      return entries.reduce((n, [k, x]) => n + measure(k, undefined, depth + 1) + measure(x, k, depth + 1), headLength(entries.length))
    }
    throw new TypeError(`encodeCbor: cannot encode a ${typeof v}`)
  }
  /** Write `v` at `at`; -1 when a bytes field turned out not to be canonical base64 (then measured again as text). */
  const write = (out: Uint8Array, at: number, v: unknown, key: string | undefined): number => {
    if (v instanceof Uint8Array) {
      const body = writeHead(out, at, 2, v.length)
      if (v.length >= split) {
        splices.push([body, v])
        return body
      }
      out.set(v, body)
      return body + v.length
    }
    if (typeof v === 'string') {
      const n = bytesLength(key, v)
      if (n >= 0) {
        const body = writeHead(out, at, 2, n)
        if (writeBase64(v, out, body)) return body + n
        notBase64.add(v)
        return -1
      }
      const t = text(v)
      const body = writeHead(out, at, 3, t.length)
      out.set(t, body)
      return body + t.length
    }
    if (typeof v === 'number') return v < 0 ? writeHead(out, at, 1, -1 - v) : writeHead(out, at, 0, v)
    if (typeof v === 'boolean' || v === null) {
      out[at] = v === false ? 0xf4 : v === true ? 0xf5 : 0xf6
      return at + 1
    }
    if (Array.isArray(v)) {
      at = writeHead(out, at, 4, v.length)
      for (const x of v) if ((at = write(out, at, x, undefined)) === -1) return -1
      return at
    }
    const entries = entriesOf(v as object)
    at = writeHead(out, at, 5, entries.length)
    for (const [k, x] of entries) if ((at = write(out, write(out, at, k, undefined), x, k)) === -1) return -1
    return at
  }
  for (;;) {
    const out = new Uint8Array(measure(value, undefined, 0))
    if (write(out, 0, value, undefined) !== -1) return { out, splices }
    splices = []
  }
}

/** Options of {@link decodeCbor}: the map keys whose byte strings come back as bytes. */
export type DecodeCborOptions = { rawFields?: ReadonlySet<string> }

/**
 * Decode one CBOR item that fills `bytes` exactly. Byte strings under a key of `rawFields` come
 * back as `Uint8Array` views into `bytes` (no copy: keep `bytes` unchanged while they are used);
 * every other byte string as its canonical base64 string (the protocol's JSON form).
 * @throws `MpcError` `MPC_MALFORMED_MESSAGE` on anything outside the subset, truncation or trailing bytes
 */
export function decodeCbor(bytes: Uint8Array, { rawFields }: DecodeCborOptions = {}): unknown {
  if (!(bytes instanceof Uint8Array)) return bad('expected bytes')
  let at = 0
  const need = (n: number): void => {
    if (n > bytes.length - at) bad(`truncated at byte ${at}`)
  }
  const argument = (info: number): number => {
    if (info < 24) return info
    let n: number
    if (info === 24) {
      need(1)
      n = bytes[at]!
      at += 1
      if (n < 24) bad('non-shortest integer encoding')
    } else if (info === 25) {
      need(2)
      n = (bytes[at]! << 8) | bytes[at + 1]!
      at += 2
      if (n < 0x100) bad('non-shortest integer encoding')
    } else if (info === 26) {
      need(4)
      n = ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)
      at += 4
      if (n < 0x10000) bad('non-shortest integer encoding')
    } else if (info === 27) {
      need(8)
      const hi = ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)
      const lo = ((bytes[at + 4]! << 24) >>> 0) + ((bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!)
      at += 8
      if (hi >= 0x200000) bad('integer beyond 2^53')
      n = hi * 0x100000000 + lo
      if (n < 0x100000000) bad('non-shortest integer encoding')
    } else return bad(info === 31 ? 'indefinite lengths are not accepted' : `reserved additional information ${info}`)
    return n
  }
  const item = (depth: number, key?: string): unknown => {
    if (depth > MAX_DEPTH) bad('nested too deeply')
    need(1)
    const head = bytes[at++]!
    const major = head >> 5
    const info = head & 31
    if (major === 7) {
      if (info === 20) return false
      if (info === 21) return true
      if (info === 22) return null
      return bad('floats and simple values other than false, true and null are not accepted')
    }
    const n = argument(info)
    switch (major) {
      case 0:
        return n
      case 1:
        return -1 - n
      case 2: {
        need(n)
        const b = bytes.subarray(at, at + n)
        at += n
        return key !== undefined && rawFields?.has(key) ? b : toBase64(b)
      }
      case 3: {
        need(n)
        let s: string
        try {
          s = textDecoder.decode(bytes.subarray(at, at + n))
        } catch {
          return bad(`invalid UTF-8 in a text string at byte ${at}`)
        }
        at += n
        return s
      }
      case 4: {
        if (n > bytes.length - at) bad(`array of ${n} items in ${bytes.length - at} bytes`)
        const a = new Array<unknown>(n)
        for (let i = 0; i < n; i++) a[i] = item(depth + 1)
        return a
      }
      case 5: {
        if (2 * n > bytes.length - at) bad(`map of ${n} entries in ${bytes.length - at} bytes`)
        const o: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) {
          need(1)
          if (bytes[at]! >> 5 !== 3) bad('map keys must be text strings')
          const k = item(depth + 1) as string
          if (Object.prototype.hasOwnProperty.call(o, k)) bad(`duplicate map key ${JSON.stringify(k.slice(0, 40))}`)
          // a plain data property even for "__proto__" (no prototype is ever set from input)
          Object.defineProperty(o, k, { value: item(depth + 1, k), enumerable: true, writable: true, configurable: true })
        }
        return o
      }
      default:
        return bad('tags are not accepted')
    }
  }
  const value = item(0)
  if (at !== bytes.length) bad(`${bytes.length - at} trailing bytes`)
  return value
}
