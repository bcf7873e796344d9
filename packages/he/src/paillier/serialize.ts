/**
 * @module paillier/serialize
 * Versioned JSON for keys and ciphertexts. Integers are unpadded base64url of their big-endian
 * bytes (as in JWK). Everything is validated on load: unknown format or version →
 * PaillierFormatError; a key of the wrong or a refused size, or inconsistent factors →
 * PaillierInvalidKeyError; a ciphertext under another key → PaillierKeyMismatchError; a
 * ciphertext ≥ n², zero or sharing a factor with n → PaillierInvalidCiphertextError.
 *
 * ```json
 * { "format": "krain/paillier-public-key", "version": 1, "bits": 3072, "n": "…" }
 * { "format": "krain/paillier-private-key", "version": 1, "bits": 3072, "n": "…", "p": "…", "q": "…" }
 * { "format": "krain/paillier-ciphertext", "version": 1, "key": "<fingerprint>", "c": "…", "bound": "…" | null, "fractionBits": 0 }
 * { "format": "krain/paillier-packed-ciphertext", "version": 1, "key": "…", "c": "…", "count": 71, "slotBits": 43, "slotBound": "…" }
 * ```
 */
import { typeError } from '@krain/core'
import { PaillierFormatError, PaillierInvalidKeyError, PaillierKeyMismatchError } from '../errors.js'
import { base64UrlToBigint, bigintToBase64Url } from './bytes.js'
import { PaillierCiphertext, checkCiphertextValue } from './ciphertext.js'
import { PaillierPrivateKey, PaillierPublicKey, type PaillierKeyOptions } from './keys.js'
import type { PackedCiphertext } from './packing.js'

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
      throw new PaillierFormatError({ shortMessage: `${name} is not valid JSON`, cause: e })
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PaillierFormatError({ shortMessage: `${name} is not a JSON object` })
  return v as Record<string, unknown>
}

function header(o: Record<string, unknown>, format: string, name: string): void {
  if (o.format !== format) throw new PaillierFormatError({ shortMessage: `${name} is not a ${format}`, details: `format: ${JSON.stringify(o.format)}` })
  if (o.version !== VERSION) throw new PaillierFormatError({ shortMessage: `${name} has unsupported version ${JSON.stringify(o.version)}; this library reads version ${VERSION}` })
}

function int(o: Record<string, unknown>, field: string, name: string): bigint {
  const s = o[field]
  if (typeof s !== 'string' || s.length > MAX_JSON) throw new PaillierFormatError({ shortMessage: `${name}.${field} must be a base64url string` })
  const v = base64UrlToBigint(s)
  if (v === undefined) throw new PaillierFormatError({ shortMessage: `${name}.${field} is not base64url` })
  return v
}

function checkBits(o: Record<string, unknown>, n: bigint, name: string): void {
  if (o.bits !== undefined && o.bits !== n.toString(2).length)
    throw new PaillierInvalidKeyError({ shortMessage: `${name} declares ${JSON.stringify(o.bits)} bits but n has ${n.toString(2).length}` })
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
  if (!(publicKey instanceof PaillierPublicKey)) typeError('publicKey', 'a PaillierPublicKey', publicKey)
  return JSON.stringify({ format: 'krain/paillier-public-key', version: VERSION, bits: publicKey.bits, n: bigintToBase64Url(publicKey.n) })
}

/**
 * Load a public key from {@link serializePublicKey}'s JSON (text or parsed object).
 * @param input - the JSON
 * @param options - `unsafeAllowSmallKeyForTests` to load a test key below 2048 bits
 * @returns the key
 * @throws PaillierFormatError, PaillierInvalidKeyError
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
  if (!(privateKey instanceof PaillierPrivateKey)) typeError('privateKey', 'a PaillierPrivateKey', privateKey)
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
 * @throws PaillierFormatError, PaillierInvalidKeyError (p·q ≠ n, not primes, wrong size)
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
  if (!(ciphertext instanceof PaillierCiphertext)) typeError('ciphertext', 'a PaillierCiphertext', ciphertext)
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
  if (!(publicKey instanceof PaillierPublicKey)) typeError('publicKey', 'a PaillierPublicKey', publicKey)
  if (typeof o.key !== 'string') throw new PaillierFormatError({ shortMessage: `${name}.key must be a key fingerprint` })
  if (o.key !== publicKey.fingerprint) throw new PaillierKeyMismatchError({ shortMessage: `${name} was made under another key`, details: `fingerprint ${o.key}, expected ${publicKey.fingerprint}` })
}

/**
 * Load a ciphertext under `publicKey`.
 * @param input - the JSON
 * @param publicKey - the key it must be under
 * @returns the validated ciphertext
 * @throws PaillierFormatError, PaillierKeyMismatchError, PaillierInvalidCiphertextError
 */
export function deserializeCiphertext(input: string | object, publicKey: PaillierPublicKey): PaillierCiphertext {
  const o = parseJsonObject(input, 'ciphertext')
  header(o, 'krain/paillier-ciphertext', 'ciphertext')
  keyOf(o, publicKey, 'ciphertext')
  const c = checkCiphertextValue(publicKey, int(o, 'c', 'ciphertext'))
  const bound = o.bound === null || o.bound === undefined ? null : int(o, 'bound', 'ciphertext')
  if (bound !== null && bound > publicKey.maxSigned) throw new PaillierFormatError({ shortMessage: 'ciphertext.bound exceeds (n − 1)/2' })
  const fb = o.fractionBits ?? 0
  if (typeof fb !== 'number' || !Number.isSafeInteger(fb) || fb < 0 || fb > 4096) throw new PaillierFormatError({ shortMessage: 'ciphertext.fractionBits must be an integer in [0, 4096]' })
  return PaillierCiphertext._trusted(publicKey, c, bound, fb)
}

/**
 * Serialise a packed ciphertext.
 * @param packed - the packed ciphertext
 * @returns the JSON text
 */
export function serializePackedCiphertext(packed: PackedCiphertext): string {
  if (typeof packed !== 'object' || packed === null || !(packed.ciphertext instanceof PaillierCiphertext)) typeError('packed', 'a PackedCiphertext', packed)
  return JSON.stringify({
    format: 'krain/paillier-packed-ciphertext',
    version: VERSION,
    key: packed.ciphertext.publicKey.fingerprint,
    c: bigintToBase64Url(packed.ciphertext.value),
    count: packed.count,
    slotBits: packed.slotBits,
    slotBound: bigintToBase64Url(packed.slotBound),
  })
}

/**
 * Load a packed ciphertext under `publicKey`.
 * @param input - the JSON
 * @param publicKey - the key it must be under
 * @returns the validated packed ciphertext
 * @throws PaillierFormatError, PaillierKeyMismatchError, PaillierInvalidCiphertextError
 */
export function deserializePackedCiphertext(input: string | object, publicKey: PaillierPublicKey): PackedCiphertext {
  const o = parseJsonObject(input, 'packed')
  header(o, 'krain/paillier-packed-ciphertext', 'packed')
  keyOf(o, publicKey, 'packed')
  const c = checkCiphertextValue(publicKey, int(o, 'c', 'packed'))
  const { count, slotBits } = o
  if (typeof slotBits !== 'number' || !Number.isSafeInteger(slotBits) || slotBits < 2 || slotBits > publicKey.bits - 2)
    throw new PaillierFormatError({ shortMessage: 'packed.slotBits is out of range' })
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || count > Math.floor((publicKey.bits - 2) / slotBits))
    throw new PaillierFormatError({ shortMessage: 'packed.count is out of range' })
  const slotBound = int(o, 'slotBound', 'packed')
  if (slotBound >= 1n << BigInt(slotBits - 1)) throw new PaillierFormatError({ shortMessage: 'packed.slotBound exceeds the slot width' })
  return { ciphertext: PaillierCiphertext._trusted(publicKey, c, null, 0), count, slotBits, slotBound }
}
