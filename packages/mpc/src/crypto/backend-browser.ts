/**
 * @module crypto/backend-browser
 * The primitives under the share cipher and the message digests without Node built-ins: X25519
 * from @noble/curves, HKDF-SHA256 and SHA-256 from @noble/hashes, AES-256-GCM from
 * @noble/ciphers, randomness from WebCrypto's `getRandomValues`. Selected by the
 * `#crypto-backend` import of this package under the `browser` condition; byte-compatible with
 * `backend-node.ts` (the tests encrypt with one and decrypt with the other).
 */
import { gcm } from '@noble/ciphers/aes.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

const NONCE = 12
const TAG = 16
const encoder = new TextEncoder()

/** Which implementation this is (`node` or `browser`). */
export const CRYPTO_BACKEND: 'node' | 'browser' = 'browser'

/** Latin-1 bytes of a string whose code units are all < 256 (the caller guarantees it). */
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** SHA-256 of `data` (a string is hashed as UTF-8, or as Latin-1 when `latin1`). */
export function sha256(data: string | Uint8Array, latin1 = false): Uint8Array {
  return nobleSha256(typeof data === 'string' ? (latin1 ? latin1Bytes(data) : encoder.encode(data)) : data)
}

const ALPHABET = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
const PAD = 61 // '='
/** Bytes of input base64-encoded per chunk by {@link sha256OfBase64} (a multiple of 3). */
const BASE64_CHUNK = 3 << 13

/**
 * SHA-256 of the canonical base64 text of `bytes`, without building the whole text: what a
 * signature over a payload's JSON form covers, computed from its bytes.
 */
export function sha256OfBase64(bytes: Uint8Array): Uint8Array {
  const h = nobleSha256.create()
  const out = new Uint8Array((BASE64_CHUNK / 3) * 4)
  for (let at = 0; at < bytes.length; at += BASE64_CHUNK) {
    const end = Math.min(bytes.length, at + BASE64_CHUNK)
    let o = 0
    let i = at
    for (; i + 3 <= end; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
      out[o++] = ALPHABET[v >>> 18]!
      out[o++] = ALPHABET[(v >>> 12) & 63]!
      out[o++] = ALPHABET[(v >>> 6) & 63]!
      out[o++] = ALPHABET[v & 63]!
    }
    if (end - i === 1) {
      const v = bytes[i]! << 16
      out.set([ALPHABET[v >>> 18]!, ALPHABET[(v >>> 12) & 63]!, PAD, PAD], o)
      o += 4
    } else if (end - i === 2) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
      out.set([ALPHABET[v >>> 18]!, ALPHABET[(v >>> 12) & 63]!, ALPHABET[(v >>> 6) & 63]!, PAD], o)
      o += 4
    }
    h.update(out.subarray(0, o))
  }
  return h.digest()
}

/** SHA-256 of the concatenation of `parts` (strings as UTF-8). */
export function sha256Concat(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const h = nobleSha256.create()
  for (const p of parts) h.update(typeof p === 'string' ? encoder.encode(p) : p)
  return h.digest()
}

/** Hex (no prefix) of bytes. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes)

/** Base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/** Bytes of base64 (lenient like Node's decoder: stops at the first character that is not base64). */
export function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '')
  const padded = clean.length % 4 === 1 ? clean.slice(0, -1) : clean
  const bin = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4))
  return latin1Bytes(bin)
}

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** True when `s` is canonical base64 of exactly `bytes` bytes. */
export function isBase64Of(s: unknown, bytes: number): s is string {
  if (typeof s !== 'string' || s.length !== 4 * Math.ceil(bytes / 3) || !BASE64.test(s)) return false
  const b = fromBase64(s)
  return b.length === bytes && toBase64(b) === s
}

/** A fresh X25519 key pair, both halves as base64 of the 32 raw bytes. */
export function x25519KeyPair(): { publicKey: string; privateKey: string } {
  const privateKey = x25519.utils.randomSecretKey()
  return { publicKey: toBase64(x25519.getPublicKey(privateKey)), privateKey: toBase64(privateKey) }
}

/** X25519 shared secret of `own` (base64 pair) with `peerPublicKey` (base64 of 32 bytes); throws on an invalid key. */
export function x25519Agree(own: { publicKey: string; privateKey: string }, peerPublicKey: string): Uint8Array {
  return x25519.getSharedSecret(fromBase64(own.privateKey), fromBase64(peerPublicKey))
}

/** HKDF-SHA256 of `ikm` to 32 bytes. */
export function hkdfSha256(ikm: Uint8Array, salt: string, info: string): Uint8Array {
  return hkdf(nobleSha256, ikm, encoder.encode(salt), encoder.encode(info), 32)
}

/** AES-256-GCM encrypt with a random 96-bit nonce: `prefix ‖ nonce ‖ ciphertext ‖ tag` (no prefix unless given). */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE))
  const ct = gcm(key, nonce, aad).encrypt(plaintext)
  const p = prefix?.length ?? 0
  const out = new Uint8Array(p + NONCE + ct.length)
  if (prefix) out.set(prefix, 0)
  out.set(nonce, p)
  out.set(ct, p + NONCE)
  return out
}

/** AES-256-GCM decrypt of `nonce ‖ ciphertext ‖ tag`; `null` if authentication fails. */
export function aesGcmOpen(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.length < NONCE + TAG) return null
  try {
    return gcm(key, sealed.subarray(0, NONCE), aad).decrypt(sealed.subarray(NONCE))
  } catch {
    return null
  }
}
