/**
 * @module share-encryption
 * Encryption of Shamir shares to their recipient: static–static X25519 between the sender's and
 * the recipient's session encryption keys (each bound to its owner's identity by the owner's
 * signed join), HKDF-SHA256 to a per-(session, sender, recipient) key, AES-256-GCM with a random
 * 96-bit nonce and AAD naming the protocol, session, round, sender and recipient. The ciphertext
 * also authenticates the sender to the recipient: only the two key holders can produce it.
 *
 * The primitives come from `#crypto-backend`: node:crypto in Node (15–100× faster than pure-JS
 * ciphers on this machine), @noble/* in a browser (the `browser` condition); the two are
 * byte-compatible.
 */
import { aesGcmOpen, aesGcmSeal, fromBase64, hkdfSha256, isBase64Of, sha256Concat, toBase64, utf8, x25519Agree, x25519KeyPair } from '#crypto-backend'
import { MpcError } from '../errors.js'
import { PROTOCOL } from './digest.js'

export { isBase64Of }

/** An X25519 key pair, both halves as base64 of the 32 raw bytes. */
export type EncryptionKeyPair = { publicKey: string; privateKey: string }

const NONCE = 12
const TAG = 16
/** Bytes an encrypted share adds to its plaintext (nonce + tag). */
export const AEAD_OVERHEAD = NONCE + TAG

/** Bytes of the key commitment that opens every share ciphertext. */
export const KEY_COMMITMENT_BYTES = 32

/**
 * SHA-256 commitment to a share key, written in the clear at the head of each share ciphertext
 * (and so covered by the dealer's signature on the ciphertext's hash). AES-GCM is not
 * key-committing; with this prefix the ciphertext opens under one key only, so a ciphertext plus
 * its key is a binding, checkable commitment to what the dealer sent (see `complaint.ts`).
 */
export function keyCommitment(key: Uint8Array): Uint8Array {
  return sha256Concat([`${PROTOCOL}|key-commitment|`, key])
}

/** Generate a fresh X25519 key pair. */
export function generateEncryptionKeyPair(): EncryptionKeyPair {
  return x25519KeyPair()
}

/** Parameters of {@link deriveShareKey}. */
export type DeriveShareKeyParameters = {
  own: EncryptionKeyPair
  peerPublicKey: string
  sessionId: string
  /** Sender address. */
  from: string
  /** Recipient address. */
  to: string
  /** Purpose label, e.g. `share`. */
  label: string
}

/** The AES-256 key of one (session, sender, recipient, label). Same on both ends. */
export function deriveShareKey({ own, peerPublicKey, sessionId, from, to, label }: DeriveShareKeyParameters): Uint8Array {
  if (!isBase64Of(peerPublicKey, 32)) throw new MpcError('MPC_MALFORMED_MESSAGE', { shortMessage: 'encryption key is not base64 of 32 bytes' })
  let shared: Uint8Array
  try {
    shared = x25519Agree(own, peerPublicKey)
  } catch (cause) {
    throw new MpcError('MPC_BAD_KEY', { shortMessage: 'X25519 key agreement failed (invalid or low-order key)', cause })
  }
  if (shared.every((b) => b === 0)) throw new MpcError('MPC_BAD_KEY', { shortMessage: 'X25519 key agreement gave the zero point' })
  return hkdfSha256(shared, sessionId, `${PROTOCOL}|${label}|${from}|${to}`)
}

/** The AAD that binds a share ciphertext to its context. */
export function shareAad(sessionId: string, round: string, from: string, to: string): Uint8Array {
  return utf8(`${PROTOCOL}|${sessionId}|${round}|${from}|${to}`)
}

/**
 * AES-256-GCM encrypt: returns `prefix ‖ nonce ‖ ciphertext ‖ tag` (`prefix` empty unless given),
 * in one buffer (a share ciphertext is its key commitment followed by the sealed share).
 */
export function sealBytes(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix?: Uint8Array): Uint8Array {
  return aesGcmSeal(key, plaintext, aad, prefix)
}

/** AES-256-GCM decrypt of `nonce ‖ ciphertext ‖ tag`; `null` if authentication fails. */
export function openBytes(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  return aesGcmOpen(key, sealed, aad)
}

/**
 * Encrypt to a public key with an ephemeral sender key (ECIES): for custody shares, whose sender
 * has no long-lived encryption key. Returns `ephemeralPublic(32) ‖ nonce ‖ ct ‖ tag`.
 */
export function sealTo(recipientPublicKey: string, plaintext: Uint8Array, context: string): Uint8Array {
  const eph = generateEncryptionKeyPair()
  const key = deriveShareKey({ own: eph, peerPublicKey: recipientPublicKey, sessionId: context, from: eph.publicKey, to: recipientPublicKey, label: 'seal' })
  const sealed = sealBytes(key, plaintext, utf8(`${PROTOCOL}|seal|${context}`))
  const out = new Uint8Array(32 + sealed.length)
  out.set(fromBase64(eph.publicKey), 0)
  out.set(sealed, 32)
  return out
}

/** Open what {@link sealTo} produced; `null` if it does not authenticate. */
export function openSealed(own: EncryptionKeyPair, sealed: Uint8Array, context: string): Uint8Array | null {
  if (sealed.length < 32 + AEAD_OVERHEAD) return null
  const ephPub = toBase64(sealed.subarray(0, 32))
  let key: Uint8Array
  try {
    key = deriveShareKey({ own, peerPublicKey: ephPub, sessionId: context, from: ephPub, to: own.publicKey, label: 'seal' })
  } catch {
    return null
  }
  return openBytes(key, sealed.subarray(32), utf8(`${PROTOCOL}|seal|${context}`))
}
