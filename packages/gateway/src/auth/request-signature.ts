/**
 * @module auth/request-signature
 * Per-request wallet signatures, for callers that do not keep a session: the wallet signs
 * (EIP-191) a canonical string of the method, path, timestamp and body hash, sent in the headers
 * `x-krain-address`, `x-krain-timestamp` (ms) and `x-krain-signature` (and, optionally,
 * `x-krain-content-sha256`: the body hash, so the signature is checked before the body is read).
 *
 * Signatures are normalised before they count: `s` must be in the lower half of the
 * curve order (EIP-2) and `v` is read as 27/28 or 0/1. Replay protection is keyed on the digest of
 * the signed request (address and payload), not on the signature string, so no re-encoding of one
 * signature passes twice; the digests live in the store until the timestamp window closes, so a
 * restart does not re-open it.
 */
import { createHash } from 'node:crypto'
import { getAddress, isAddress, recoverMessageAddress, type Hex } from 'viem'
import { AuthError } from '../errors.js'

/** How far a request timestamp may be from the gateway's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000

/** secp256k1 group order n, and n/2 (the largest canonical `s`). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_N = SECP256K1_N >> 1n

/** sha256 of a body, hex (the empty body hashes the empty string). */
export const bodyHashOf = (body: Uint8Array | string | undefined): string =>
  createHash('sha256')
    .update(body ?? '')
    .digest('hex')

/** The string a wallet signs for one request. */
export function requestSigningPayload({ method, path, timestamp, body, bodyHash }: { method: string; path: string; timestamp: number; body?: Uint8Array | string | undefined; bodyHash?: string }): string {
  return `krain-request:v1\n${method.toUpperCase()}\n${path}\n${timestamp}\n${bodyHash ?? bodyHashOf(body)}`
}

/** Where a request digest is remembered until it expires (the store, see `Store.acceptRequestDigest`). */
export type ReplayGuard = { accept(digest: string, expiresAt: number, now: number): Promise<boolean> }

/**
 * The canonical form of a 65-byte signature: `v` as 27/28.
 * @throws {AuthError} AUTH_INVALID_SIGNATURE for a high `s`, a zero `r`/`s` or an unknown `v`
 */
export function normalizeSignature(signature: Hex): Hex {
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-signature is not a valid secp256k1 signature')
  if (s > HALF_N) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-signature is not canonical (s must be in the lower half of the curve order)')
  if (v !== 0 && v !== 1 && v !== 27 && v !== 28) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-signature has an invalid recovery byte (v must be 27, 28, 0 or 1)')
  return `${signature.slice(0, 130).toLowerCase()}${(v < 27 ? v + 27 : v).toString(16)}` as Hex
}

/** The parsed, not yet verified signature headers of a request. */
export type SignatureHeaders = { address: `0x${string}`; timestamp: number; signature: Hex; bodyHash: string | undefined }

/**
 * Check the shape of the signature headers and the timestamp window (cheap: no curve operation).
 * @throws {AuthError} AUTH_INVALID_SIGNATURE
 */
export function readSignatureHeaders(headers: Record<string, string | string[] | undefined>, now = Date.now()): SignatureHeaders {
  const address = headers['x-krain-address']
  const ts = headers['x-krain-timestamp']
  const signature = headers['x-krain-signature']
  const bodyHash = headers['x-krain-content-sha256']
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-address must be a wallet address')
  if (typeof ts !== 'string' || !/^\d{1,15}$/.test(ts)) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-timestamp must be milliseconds since the epoch')
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-signature must be a 65-byte hex signature')
  if (bodyHash !== undefined && (typeof bodyHash !== 'string' || !/^[0-9a-f]{64}$/.test(bodyHash))) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-content-sha256 must be 64 lowercase hex digits')
  const timestamp = Number(ts)
  if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_MS) throw new AuthError('AUTH_INVALID_SIGNATURE', 'request timestamp outside the accepted window', 'sign with a current clock')
  return { address: getAddress(address), timestamp, signature: normalizeSignature(signature as Hex), bodyHash }
}

/**
 * Verify a request signature against a body hash and accept its digest once.
 * @returns the signer's checksummed address
 * @throws {AuthError} AUTH_INVALID_SIGNATURE or AUTH_REPLAYED
 */
export async function verifySignedRequest({ signed, method, path, bodyHash, replay, now = Date.now() }: { signed: SignatureHeaders; method: string; path: string; bodyHash: string; replay: ReplayGuard; now?: number }): Promise<`0x${string}`> {
  const message = requestSigningPayload({ method, path, timestamp: signed.timestamp, bodyHash })
  let signer: string | undefined
  try {
    signer = await recoverMessageAddress({ message, signature: signed.signature })
  } catch {
    signer = undefined
  }
  if (!signer || signer.toLowerCase() !== signed.address.toLowerCase()) throw new AuthError('AUTH_INVALID_SIGNATURE', 'request signature does not match x-krain-address')
  const digest = createHash('sha256').update(`${signed.address.toLowerCase()}\n${message}`).digest('hex')
  if (!(await replay.accept(digest, signed.timestamp + SIGNATURE_WINDOW_MS + 1, now))) throw new AuthError('AUTH_REPLAYED', 'this signed request was already used')
  return signed.address
}

/**
 * Verify the signature headers of a request (headers and body at once).
 * @returns the signer's checksummed address
 * @throws {AuthError} AUTH_INVALID_SIGNATURE or AUTH_REPLAYED
 */
export async function verifyRequestSignature({
  headers,
  method,
  path,
  body,
  replay,
  now = Date.now(),
}: {
  headers: Record<string, string | string[] | undefined>
  method: string
  path: string
  body: Uint8Array | string | undefined
  replay: ReplayGuard
  now?: number
}): Promise<`0x${string}`> {
  const signed = readSignatureHeaders(headers, now)
  const bodyHash = bodyHashOf(body)
  if (signed.bodyHash !== undefined && signed.bodyHash !== bodyHash) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-content-sha256 does not match the body')
  return verifySignedRequest({ signed, method, path, bodyHash, replay, now })
}
