/**
 * An independent peer for the share cipher's cross-check: the same derivation and AEAD written
 * with X25519 from @noble/curves, HKDF-SHA256 from @noble/hashes and AES-256-GCM from
 * @noble/ciphers. The tests require it to derive the same keys as `src/crypto/share-encryption.ts`
 * (node:crypto) and to open its ciphertexts, and the reverse.
 */
import { gcm } from '@noble/ciphers/aes.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { MpcError } from '../src/errors.js'
import { PROTOCOL } from '../src/crypto/digest.js'
import type { DeriveShareKeyParameters } from '../src/crypto/share-encryption.js'

const enc = new TextEncoder()
const fromB64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))

/** {@link deriveShareKey} without node:crypto. */
export function deriveShareKeyNoble({ own, peerPublicKey, sessionId, from, to, label }: DeriveShareKeyParameters): Uint8Array {
  let shared: Uint8Array
  try {
    shared = x25519.getSharedSecret(fromB64(own.privateKey), fromB64(peerPublicKey))
  } catch (cause) {
    throw new MpcError('MPC_BAD_KEY', { shortMessage: 'X25519 key agreement failed (invalid or low-order key)', cause })
  }
  if (shared.every((b) => b === 0)) throw new MpcError('MPC_BAD_KEY', { shortMessage: 'X25519 key agreement gave the zero point' })
  return hkdf(sha256, shared, enc.encode(sessionId), enc.encode(`${PROTOCOL}|${label}|${from}|${to}`), 32)
}

/** {@link sealBytes} without node:crypto: `nonce ‖ ciphertext ‖ tag`. */
export function sealBytesNoble(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const ct = gcm(key, nonce, aad).encrypt(plaintext)
  const out = new Uint8Array(12 + ct.length)
  out.set(nonce, 0)
  out.set(ct, 12)
  return out
}

/** {@link openBytes} without node:crypto; `null` if authentication fails. */
export function openBytesNoble(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.length < 28) return null
  try {
    return gcm(key, sealed.subarray(0, 12), aad).decrypt(sealed.subarray(12))
  } catch {
    return null
  }
}
