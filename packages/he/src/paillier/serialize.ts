/**
 * @module paillier/serialize
 * Versioned JSON for keys and ciphertexts. Integers are unpadded base64url of their big-endian
 * bytes (as in JWK). Everything is validated on load: unknown format or version →
 * HeSerializationError; a key of the wrong or a refused size, or inconsistent factors →
 * PaillierInvalidKeyError; a ciphertext under another key → HeKeyMismatchError; a
 * ciphertext ≥ n², zero or sharing a factor with n → PaillierInvalidCiphertextError.
 *
 * ```json
 * { "format": "krain/paillier-public-key", "version": 1, "bits": 3072, "n": "…" }
 * { "format": "krain/paillier-private-key", "version": 1, "bits": 3072, "n": "…", "p": "…", "q": "…" }
 * { "format": "krain/paillier-ciphertext", "version": 1, "key": "<fingerprint>", "c": "…", "bound": "…" | null, "fractionBits": 0 }
 * { "format": "krain/paillier-packed-ciphertext", "version": 1, "key": "…", "c": "…", "count": 71, "slotBits": 43, "slotBound": "…" }
 * ```
 *
 * Bounds are never trusted from the wire. `bound` and `slotBound` are public metadata
 * anyone can write, and a false small bound defeats the overflow tracking: two ciphertexts of
 * (n − 1)/2 declared as "|m| ≤ 1" add up to −1 and decrypt "within bounds". Authenticating the
 * field would not help (it would prove who wrote the claim, not that the plaintext obeys it; only
 * a range proof does), so the loaders give a ciphertext the bound of the *type the receiver
 * expects*: the worst case for a signed ciphertext ((n − 1)/2, so any sum is refused) unless the
 * caller states its own bound (`{ bound }`, `encoder.deserialize`, `packer.deserialize`). What
 * remains, and no metadata can fix: whoever encrypts may encrypt any plaintext of Z_n; overflow
 * tracking protects honest inputs from wrapping, not the result from a dishonest encryptor.
 */
import { HeSerializationError, PaillierInvalidKeyError, HeKeyMismatchError, HeScaleError } from '../errors.js'
import { base64UrlToBigint, bigintToBase64Url } from './bytes.js'
import { PaillierCiphertext, checkCiphertextValue } from './ciphertext.js'
import { PaillierPrivateKey, PaillierPublicKey, type PaillierKeyOptions } from './keys.js'
import { PaillierPackedCiphertext, mintPacked, type PackedCiphertext } from './packed-ciphertext.js'
import { describeValue, shortTypeError } from './describe.js'

const VERSION = 1
const MAX_JSON = 1 << 20

/** Parse a JSON string (bounded in size) or take an object; anything else is a format error. */
export function parseJsonObject(input: unknown, name: string): Record<string, unknown> {
  let v = input
  if (typeof input === 'string') {
    if (input.length > MAX_JSON) throw new RangeError(`"${name}" is longer than ${MAX_JSON} characters`)
    try {
      v = JSON.parse(input)
    } catch (e) {
      throw new HeSerializationError({ shortMessage: `${name} is not valid JSON`, cause: e })
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HeSerializationError({ shortMessage: `${name} is not a JSON object` })
  return v as Record<string, unknown>
}

function header(o: Record<string, unknown>, format: string, name: string): void {
  if (o.format !== format) throw new HeSerializationError({ shortMessage: `${name} is not a ${format}`, details: `format: ${describeValue(o.format)}` })
  if (o.version !== VERSION) throw new HeSerializationError({ shortMessage: `${name} has unsupported version ${describeValue(o.version)}; this library reads version ${VERSION}` })
}

function int(o: Record<string, unknown>, field: string, name: string): bigint {
  const s = o[field]
  if (typeof s !== 'string' || s.length > MAX_JSON) throw new HeSerializationError({ shortMessage: `${name}.${field} must be a base64url string` })
  const v = base64UrlToBigint(s)
  if (v === undefined) throw new HeSerializationError({ shortMessage: `${name}.${field} is not base64url` })
  return v
}

function checkBits(o: Record<string, unknown>, n: bigint, name: string): void {
  if (o.bits !== undefined && o.bits !== n.toString(2).length)
    throw new PaillierInvalidKeyError({ shortMessage: `${name} declares ${describeValue(o.bits)} bits but n has ${n.toString(2).length}` })
}

/**
 * Serialise a public key.
 * @param publicKey - the key
 * @returns the JSON text
 * @example
 * ```ts
 * const text = serializePublicKey(publicKey)
 * ```
 */
export function serializePublicKey(publicKey: PaillierPublicKey): string {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  return JSON.stringify({ format: 'krain/paillier-public-key', version: VERSION, bits: publicKey.bits, n: bigintToBase64Url(publicKey.n) })
}

/**
 * Load a public key from {@link serializePublicKey}'s JSON (text or parsed object).
 * @param input - the JSON
 * @param options - `unsafeAllowSmallKeyForTests` to load a test key below 2048 bits
 * @returns the key
 * @throws HeSerializationError, PaillierInvalidKeyError
 */
export function deserializePublicKey(input: string | object, options?: PaillierKeyOptions): PaillierPublicKey {
  const o = parseJsonObject(input, 'publicKey')
  header(o, 'krain/paillier-public-key', 'publicKey')
  const n = int(o, 'n', 'publicKey')
  checkBits(o, n, 'publicKey')
  return new PaillierPublicKey(n, options)
}

/**
 * Serialise a private key (p and q; everything else is recomputed on load). Keep it secret.
 * @param privateKey - the key
 * @returns the JSON text
 */
export function serializePrivateKey(privateKey: PaillierPrivateKey): string {
  if (!(privateKey instanceof PaillierPrivateKey)) shortTypeError('privateKey', 'a PaillierPrivateKey', privateKey)
  return JSON.stringify({
    format: 'krain/paillier-private-key',
    version: VERSION,
    bits: privateKey.publicKey.bits,
    n: bigintToBase64Url(privateKey.n),
    p: bigintToBase64Url(privateKey.p),
    q: bigintToBase64Url(privateKey.q),
  })
}

/**
 * Load a private key from {@link serializePrivateKey}'s JSON.
 * @param input - the JSON
 * @param options - `unsafeAllowSmallKeyForTests`
 * @returns the key (its `publicKey` is included)
 * @throws HeSerializationError, PaillierInvalidKeyError (p·q ≠ n, not primes, wrong size)
 */
export function deserializePrivateKey(input: string | object, options?: PaillierKeyOptions): PaillierPrivateKey {
  const o = parseJsonObject(input, 'privateKey')
  header(o, 'krain/paillier-private-key', 'privateKey')
  const n = int(o, 'n', 'privateKey')
  checkBits(o, n, 'privateKey')
  const publicKey = new PaillierPublicKey(n, options)
  return new PaillierPrivateKey(int(o, 'p', 'privateKey'), int(o, 'q', 'privateKey'), { ...options, publicKey })
}

/**
 * Serialise a ciphertext with its key fingerprint and public metadata.
 * @param ciphertext - the ciphertext
 * @returns the JSON text
 */
export function serializeCiphertext(ciphertext: PaillierCiphertext): string {
  if (!(ciphertext instanceof PaillierCiphertext)) shortTypeError('ciphertext', 'a PaillierCiphertext', ciphertext)
  return JSON.stringify({
    format: 'krain/paillier-ciphertext',
    version: VERSION,
    key: ciphertext.publicKey.fingerprint,
    c: bigintToBase64Url(ciphertext.value),
    bound: ciphertext.bound === null ? null : bigintToBase64Url(ciphertext.bound),
    fractionBits: ciphertext.fractionBits,
  })
}

function keyOf(o: Record<string, unknown>, publicKey: PaillierPublicKey, name: string): void {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  if (typeof o.key !== 'string') throw new HeSerializationError({ shortMessage: `${name}.key must be a key fingerprint` })
  if (o.key !== publicKey.fingerprint) throw new HeKeyMismatchError({ shortMessage: `${name} was made under another key`, details: `fingerprint ${describeValue(o.key)}, expected ${JSON.stringify(publicKey.fingerprint)}` })
}

/** Options of {@link deserializeCiphertext}: the type the receiver expects. */
export type DeserializeCiphertextOptions = {
  /**
   * The receiver's bound on |m| (≤ (n − 1)/2), or `null` for a raw Z_n ciphertext. Default: raw
   * stays raw, a signed ciphertext gets the worst case (n − 1)/2. The JSON's bound is never used.
   */
  bound?: bigint | null
  /** The fraction bits the receiver expects; a ciphertext that declares others is refused. */
  fractionBits?: number
}

/**
 * Load a ciphertext under `publicKey`, with the bound of the type the receiver expects (the bound
 * in the JSON is public metadata anyone can forge and is not used; see the module notes).
 * @param input - the JSON
 * @param publicKey - the key it must be under
 * @param options - `bound` and `fractionBits` the receiver expects
 * @returns the validated ciphertext
 * @throws HeSerializationError, HeKeyMismatchError, PaillierInvalidCiphertextError,
 *   HeScaleError (other fraction bits than expected); RangeError on a bad `bound`
 * @example
 * ```ts
 * const ct = deserializeCiphertext(json, publicKey, { bound: encoder.maxEncoded, fractionBits: encoder.precisionBits })
 * ```
 */
export function deserializeCiphertext(input: string | object, publicKey: PaillierPublicKey, options?: DeserializeCiphertextOptions): PaillierCiphertext {
  const o = parseJsonObject(input, 'ciphertext')
  header(o, 'krain/paillier-ciphertext', 'ciphertext')
  keyOf(o, publicKey, 'ciphertext')
  const c = checkCiphertextValue(publicKey, int(o, 'c', 'ciphertext'))
  // the wire bound is parsed only to check the format and to know raw from signed
  const wire = o.bound === null || o.bound === undefined ? null : int(o, 'bound', 'ciphertext')
  if (wire !== null && wire > publicKey.maxSigned) throw new HeSerializationError({ shortMessage: 'ciphertext.bound exceeds (n − 1)/2' })
  const fb = o.fractionBits ?? 0
  if (typeof fb !== 'number' || !Number.isSafeInteger(fb) || fb < 0 || fb > 4096) throw new HeSerializationError({ shortMessage: 'ciphertext.fractionBits must be an integer in [0, 4096]' })
  if (options?.fractionBits !== undefined && options.fractionBits !== fb)
    throw new HeScaleError({ shortMessage: `ciphertext has ${fb} fraction bits, ${describeValue(options.fractionBits)} were expected` })
  let bound: bigint | null = wire === null ? null : publicKey.maxSigned
  if (options?.bound !== undefined) {
    bound = options.bound
    if (bound !== null && (typeof bound !== 'bigint' || bound < 0n || bound > publicKey.maxSigned)) throw new RangeError(`"options.bound" expected null or a bigint in [0, (n − 1)/2], got ${describeValue(bound)}`)
  }
  return PaillierCiphertext._trusted(publicKey, c, bound, fb)
}

/**
 * Serialise a packed ciphertext.
 * @param packed - the packed ciphertext
 * @returns the JSON text
 */
export function serializePackedCiphertext(packed: PackedCiphertext): string {
  if (!(packed instanceof PaillierPackedCiphertext)) shortTypeError('packed', 'a PaillierPackedCiphertext', packed)
  return JSON.stringify({
    format: 'krain/paillier-packed-ciphertext',
    version: VERSION,
    key: packed.publicKey.fingerprint,
    c: bigintToBase64Url(packed.value),
    count: packed.count,
    slotBits: packed.slotBits,
    slotBound: bigintToBase64Url(packed.slotBound),
  })
}

/** @internal The checked fields of a packed ciphertext's JSON (its slot bound is not returned: it is never used). */
export function parsePackedJson(input: string | object, publicKey: PaillierPublicKey): { c: bigint; count: number; slotBits: number } {
  const o = parseJsonObject(input, 'packed')
  header(o, 'krain/paillier-packed-ciphertext', 'packed')
  keyOf(o, publicKey, 'packed')
  const c = checkCiphertextValue(publicKey, int(o, 'c', 'packed'))
  const { count, slotBits } = o
  if (typeof slotBits !== 'number' || !Number.isSafeInteger(slotBits) || slotBits < 2 || slotBits > publicKey.bits - 2)
    throw new HeSerializationError({ shortMessage: 'packed.slotBits is out of range' })
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || count > Math.floor((publicKey.bits - 2) / slotBits))
    throw new HeSerializationError({ shortMessage: 'packed.count is out of range' })
  const slotBound = int(o, 'slotBound', 'packed')
  if (slotBound >= 1n << BigInt(slotBits - 1)) throw new HeSerializationError({ shortMessage: 'packed.slotBound exceeds the slot width' })
  return { c, count, slotBits }
}

/**
 * Load a packed ciphertext under `publicKey` without knowing its packer: it gets the worst-case
 * slot bound of its layout, 2^(slotBits − 1) − 1, so it decrypts but no packer will add to it.
 * To aggregate uploads, load them with `packer.deserialize` (the receiver's bound).
 * @param input - the JSON
 * @param publicKey - the key it must be under
 * @returns the validated packed ciphertext
 * @throws HeSerializationError, HeKeyMismatchError, PaillierInvalidCiphertextError
 */
export function deserializePackedCiphertext(input: string | object, publicKey: PaillierPublicKey): PackedCiphertext {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  const { c, count, slotBits } = parsePackedJson(input, publicKey)
  return mintPacked(publicKey, c, count, slotBits, (1n << BigInt(slotBits - 1)) - 1n)
}
