/**
 * @module inference/envelope
 * The wire form of an inference ciphertext: SEAL's bytes bound to the key and the plan that made
 * them, so that a ciphertext under another client's key, made for another plan (model, layout,
 * parameters, bounds), moved to another position of the batch, or corrupted in transit is refused
 * with a typed error instead of decrypting to garbage.
 *
 * Format (version 1), integers little-endian:
 * `"KHEC"` · u8 version · u8 kind (1 input, 2 output) · 2 zero bytes · u32 index in the batch ·
 * 16-byte key id · 16-byte plan digest · u32 SEAL length · SEAL ciphertext · SHA-256 of everything
 * before it (32 bytes).
 *
 * What this is not: authentication. The checksum is keyless, so whoever handles the envelope can
 * rewrite it consistently; CKKS itself is malleable (anyone with the public key can add an
 * encryption of anything). The binding catches mistakes and corruption; integrity against a
 * malicious server needs more (see the README's Security section).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type * as NodeCrypto from 'node:crypto'
import { HeKeyMismatchError, HeSerializationError } from '../errors.js'

/** node:crypto when this runs in Node (taken at run time, so a browser bundle has no Node import). */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined

/**
 * @internal SHA-256 of bytes: node:crypto in Node (6× faster on megabyte ciphertexts and key
 * bundles), @noble/hashes elsewhere (a browser); the same digest.
 */
export const sha256: (data: Uint8Array) => Uint8Array = nodeCrypto ? (data) => new Uint8Array(nodeCrypto.createHash('sha256').update(data).digest()) : nobleSha256

const MAGIC = [0x4b, 0x48, 0x45, 0x43] // "KHEC"
/** Version of the ciphertext envelope written by this package. */
export const CIPHERTEXT_ENVELOPE_VERSION = 1
const HEADER = 4 + 4 + 4 + 16 + 16 + 4
const HASH = 32

/** What an envelope says about its ciphertext. */
export type EnvelopeInfo = { kind: 'input' | 'output'; index: number; keyId: string; planDigest: string }

function hexBytes(hex: string, what: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`"${what}" expected 32 lowercase hex characters, got ${hex.length > 40 ? `${hex.slice(0, 40)}…` : hex}`)
  return hexToBytes(hex)
}

/** @internal Wrap SEAL ciphertext bytes. */
export function sealEnvelope(info: EnvelopeInfo, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length + HASH)
  const view = new DataView(out.buffer)
  out.set(MAGIC, 0)
  out[4] = CIPHERTEXT_ENVELOPE_VERSION
  out[5] = info.kind === 'input' ? 1 : 2
  view.setUint32(8, info.index, true)
  out.set(hexBytes(info.keyId, 'keyId'), 12)
  out.set(hexBytes(info.planDigest, 'planDigest'), 28)
  view.setUint32(44, data.length, true)
  out.set(data, HEADER)
  out.set(sha256(out.subarray(0, HEADER + data.length)), HEADER + data.length)
  return out
}

function bad(what: string, shortMessage: string): never {
  throw new HeSerializationError({ shortMessage: `${what}: ${shortMessage}` })
}

/**
 * @internal Parse an envelope (framing and checksum) and return what it says and the SEAL bytes.
 * @throws {HeSerializationError} on bad framing, an unknown version, or a checksum mismatch
 */
export function openEnvelope(bytes: Uint8Array, what: string): EnvelopeInfo & { data: Uint8Array } {
  if (bytes.length < HEADER + HASH) bad(what, 'too short to be a ciphertext envelope (raw SEAL bytes are no longer accepted: use encryptBatch / evaluateModel)')
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) bad(what, 'not a ciphertext envelope (bad magic)')
  if (bytes[4] !== CIPHERTEXT_ENVELOPE_VERSION) bad(what, `unsupported ciphertext envelope version ${bytes[4]}`)
  if ((bytes[5] !== 1 && bytes[5] !== 2) || bytes[6] !== 0 || bytes[7] !== 0) bad(what, 'malformed ciphertext envelope header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(44, true)
  if (HEADER + length + HASH !== bytes.length) bad(what, 'ciphertext envelope length does not match its header (truncated or padded)')
  const digest = sha256(bytes.subarray(0, HEADER + length))
  let diff = 0
  for (let i = 0; i < HASH; i++) diff |= digest[i]! ^ bytes[HEADER + length + i]!
  if (diff !== 0) bad(what, 'ciphertext is corrupted (checksum mismatch)')
  const hex = (a: number) => bytesToHex(bytes.subarray(a, a + 16))
  return { kind: bytes[5] === 1 ? 'input' : 'output', index: view.getUint32(8, true), keyId: hex(12), planDigest: hex(28), data: bytes.subarray(HEADER, HEADER + length) }
}

/**
 * @internal Check what an opened envelope says against what the receiver expects.
 * @throws {HeKeyMismatchError} naming the first mismatch (kind, key, plan, position)
 */
export function expectEnvelope(env: EnvelopeInfo, want: EnvelopeInfo, what: string): void {
  if (env.kind !== want.kind) throw new HeKeyMismatchError({ shortMessage: `${what} is an ${env.kind} ciphertext, expected an ${want.kind} one` })
  if (env.keyId !== want.keyId) throw new HeKeyMismatchError({ shortMessage: `${what} was made under another key`, details: `its key id ${env.keyId}, expected ${want.keyId}` })
  if (env.planDigest !== want.planDigest) throw new HeKeyMismatchError({ shortMessage: `${what} was made for another plan`, details: `its plan digest ${env.planDigest}, expected ${want.planDigest}` })
  if (env.index !== want.index) throw new HeKeyMismatchError({ shortMessage: `${what} is at the wrong position of the batch`, details: `it was made for position ${env.index}` })
}
