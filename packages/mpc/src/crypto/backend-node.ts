/**
 * @module crypto/backend-node
 * The primitives under the share cipher and the message digests, on node:crypto (15–100× faster
 * than the pure-JS ciphers on this machine). Selected by the `#crypto-backend` import of this
 * package for every runtime but a browser; `backend-browser.ts` is its byte-compatible twin.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'

const NONCE = 12
const TAG = 16

/** Which implementation this is (`node` or `browser`). */
export const CRYPTO_BACKEND: 'node' | 'browser' = 'node'

/** SHA-256 of `data` (a string is hashed as UTF-8, or as Latin-1 when `latin1`). */
export function sha256(data: string | Uint8Array, latin1 = false): Uint8Array {
  const h = createHash('sha256')
  if (typeof data === 'string') h.update(data, latin1 ? 'latin1' : 'utf8')
  else h.update(data)
  return new Uint8Array(h.digest())
}

/** Bytes base64-encoded and hashed per chunk by {@link sha256OfBase64}: a multiple of 3 (chunks join without padding), small enough that each chunk's text stays out of V8's large-object space (3 << 15 is 10× slower). */
const BASE64_CHUNK = 3 << 14

/**
 * SHA-256 of the canonical base64 text of `bytes`, without building the whole text: what a
 * signature over a payload's JSON form covers, computed from its bytes.
 */
export function sha256OfBase64(bytes: Uint8Array): Uint8Array {
  const h = createHash('sha256')
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  for (let i = 0; i < b.length; i += BASE64_CHUNK) h.update(b.toString('base64', i, Math.min(b.length, i + BASE64_CHUNK)), 'latin1')
  return new Uint8Array(h.digest())
}

/** SHA-256 of the concatenation of `parts` (strings as UTF-8). */
export function sha256Concat(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** Hex (no prefix) of bytes. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
/** Base64 of bytes. */
export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
/** Bytes of base64 (lenient, as Node's decoder; callers check canonical form with {@link isBase64Of}). */
export const fromBase64 = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}
/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => {
  const b = Buffer.from(s)
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}

/** True when `s` is canonical base64 of exactly `bytes` bytes. */
export function isBase64Of(s: unknown, bytes: number): s is string {
  if (typeof s !== 'string' || s.length !== 4 * Math.ceil(bytes / 3)) return false
  const b = Buffer.from(s, 'base64')
  return b.length === bytes && b.toString('base64') === s
}

/** A fresh X25519 key pair, both halves as base64 of the 32 raw bytes. */
export function x25519KeyPair(): { publicKey: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('x25519')
  const jwk = privateKey.export({ format: 'jwk' })
  const b64 = (s: string): string => Buffer.from(s, 'base64url').toString('base64')
  return { publicKey: b64(jwk.x!), privateKey: b64(jwk.d!) }
}

/** Imported public keys by their base64 (a session's parties use each other's keys many times). */
const publicKeys = new Map<string, KeyObject>()
const PUBLIC_KEYS_MAX = 1024

function publicKeyObject(publicKey: string): KeyObject {
  const hit = publicKeys.get(publicKey)
  if (hit !== undefined) return hit
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey, 'base64').toString('base64url') }, format: 'jwk' })
  if (publicKeys.size >= PUBLIC_KEYS_MAX) publicKeys.delete(publicKeys.keys().next().value!)
  publicKeys.set(publicKey, key)
  return key
}

/** Imported private keys, by the key pair object (checked against its current fields). */
const privateKeys = new WeakMap<object, { publicKey: string; privateKey: string; key: KeyObject }>()

function privateKeyObject(pair: { publicKey: string; privateKey: string }): KeyObject {
  const hit = privateKeys.get(pair)
  if (hit !== undefined && hit.publicKey === pair.publicKey && hit.privateKey === pair.privateKey) return hit.key
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(pair.publicKey, 'base64').toString('base64url'), d: Buffer.from(pair.privateKey, 'base64').toString('base64url') },
    format: 'jwk',
  })
  privateKeys.set(pair, { publicKey: pair.publicKey, privateKey: pair.privateKey, key })
  return key
}

/** X25519 shared secret of `own` (base64 pair) with `peerPublicKey` (base64 of 32 bytes); throws on an invalid key. */
export function x25519Agree(own: { publicKey: string; privateKey: string }, peerPublicKey: string): Uint8Array {
  const s = diffieHellman({ privateKey: privateKeyObject(own), publicKey: publicKeyObject(peerPublicKey) })
  return new Uint8Array(s.buffer, s.byteOffset, s.length)
}

/** HKDF-SHA256 of `ikm` to 32 bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: string, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, Buffer.from(salt), Buffer.from(info), 32))
}

/** AES-256-GCM encrypt with a random 96-bit nonce: `prefix ‖ nonce ‖ ciphertext ‖ tag` (no prefix unless given). */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE)
  const c = createCipheriv('aes-256-gcm', key, nonce)
  c.setAAD(aad)
  const p = prefix?.length ?? 0
  // (allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool, as callers keep it)
  const out = Buffer.allocUnsafeSlow(p + NONCE + plaintext.length + TAG)
  if (prefix) out.set(prefix, 0)
  nonce.copy(out, p)
  const body = c.update(plaintext)
  body.copy(out, p + NONCE)
  const fin = c.final()
  fin.copy(out, p + NONCE + body.length)
  c.getAuthTag().copy(out, p + NONCE + body.length + fin.length)
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** AES-256-GCM decrypt of `nonce ‖ ciphertext ‖ tag`; `null` if authentication fails. */
export function aesGcmOpen(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.length < NONCE + TAG) return null
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE))
    d.setAAD(aad)
    d.setAuthTag(sealed.subarray(sealed.length - TAG))
    const a = d.update(sealed.subarray(NONCE, sealed.length - TAG))
    const b = d.final()
    const out = b.length ? Buffer.concat([a, b]) : a
    return new Uint8Array(out.buffer, out.byteOffset, out.length)
  } catch {
    return null
  }
}
